//! Bulk refresh shared by the object types' `read_batch`: refreshing the objects of one bucket
//! or container from one listing. (Splitting a batch by type and restoring request order is
//! the kit dispatcher's job, `provider::kit`.)

use std::collections::{BTreeMap, HashMap};
use std::future::Future;

use futures::stream::{self, StreamExt};

use super::helpers::{attr, common_prefix, text};
use super::ReadResponse;
use crate::diag::Diagnostics;
use crate::value::Value;

/// Below this many managed objects in a bucket or container, reading them one by one is
/// cheaper than listing it.
pub const LIST_THRESHOLD: usize = 4;

/// What a listing says of one managed object.
pub enum Listed {
    /// Its refreshed state, from the listing alone.
    State(Value),
    /// Changed in a way the listing cannot tell: read it on its own.
    ReadAlone(Value),
}

/// Refreshes objects grouped by `group` (a bucket, a container) with one `list(group, prefix)`
/// call per group, limited to the longest prefix of their names (attribute `name`). An object
/// the listing lacks is gone; `merge` turns a listed one into its state. Groups smaller than
/// [`LIST_THRESHOLD`] are read with `read_one`; a failed listing leaves its objects' states
/// as they were, with the error.
pub async fn by_listing<K, R, RF, LF>(
    items: Vec<(usize, Value)>,
    group: impl Fn(&Value) -> K,
    name: &str,
    read_one: impl Fn(Value) -> RF,
    list: impl Fn(K, String) -> LF,
    merge: impl Fn(Value, R) -> Listed,
) -> Vec<(usize, ReadResponse)>
where
    K: Ord,
    RF: Future<Output = ReadResponse>,
    LF: Future<Output = Result<HashMap<String, R>, Diagnostics>>,
{
    let mut groups: BTreeMap<K, Vec<(usize, Value)>> = BTreeMap::new();
    for (i, v) in items {
        groups.entry(group(&v)).or_default().push((i, v));
    }
    let ok = |v: Option<Value>| ReadResponse { new_state: v, diagnostics: Default::default() };
    let mut out = Vec::new();
    for (key, items) in groups {
        if items.len() < LIST_THRESHOLD {
            for (i, v) in items {
                out.push((i, read_one(v).await));
            }
            continue;
        }
        let prefix = common_prefix(items.iter().map(|(_, v)| attr(v, name).as_str().unwrap_or_default()));
        let mut listed = match list(key, prefix).await {
            Ok(l) => l,
            Err(d) => {
                out.extend(items.into_iter().map(|(i, v)| (i, ReadResponse { new_state: Some(v), diagnostics: d.clone() })));
                continue;
            }
        };
        let mut alone = Vec::new();
        for (i, v) in items {
            match listed.remove(&text(&v, name)) {
                None => out.push((i, ok(None))),
                Some(r) => match merge(v, r) {
                    Listed::State(s) => out.push((i, ok(Some(s)))),
                    Listed::ReadAlone(v) => alone.push((i, v)),
                },
            }
        }
        let read_one = &read_one;
        let reads: Vec<(usize, ReadResponse)> = stream::iter(alone).map(|(i, v)| async move { (i, read_one(v).await) }).buffer_unordered(10).collect().await;
        out.extend(reads);
    }
    out
}
