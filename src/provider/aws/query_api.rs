//! A small client for the AWS services that speak the Query protocol (SNS, CloudWatch, RDS): one
//! form-encoded `POST /` per operation (`Action=<Operation>&Version=<API version>&...`),
//! signed with SigV4 as [`super::json_api`] signs, answered in XML. Like the JSON client it
//! stands in for SDK crates that would cost minutes of build for a handful of calls.
//!
//! Credentials, region, request counting, retries (throttling, 5xx, transport errors; full
//! jitter) and endpoint resolution (`endpoints { <service> }`, `AWS_ENDPOINT_URL_<SERVICE>`,
//! `AWS_ENDPOINT_URL`, then the regional endpoint) are [`super::signed`]'s, shared with the
//! JSON and REST-JSON clients. Answers are
//! read with [`Xml`], a dependency-free reader of the plain XML these services return (no
//! DTDs, namespaces ignored); error answers (`<Error><Code>`, `<Message>`) become
//! [`ApiError`]s. Entry points: [`QueryApi::call`], [`QueryApi::write`], [`Params`].

use std::collections::BTreeMap;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::json_api::{tag_changes, ApiError};
use super::signed::{Addressing, Call, Setup, Signed};
use crate::value::Value;

/// One Query-protocol service.
#[derive(Debug)]
pub struct QueryService {
    /// Its name in the provider's `endpoints` block.
    pub key: &'static str,
    /// The SigV4 signing name, also the host prefix of its regional endpoint.
    pub signing_name: &'static str,
    /// The API version every request names.
    pub version: &'static str,
    /// The suffix of its `AWS_ENDPOINT_URL_<SERVICE>` variable.
    pub env: &'static str,
}

pub const SNS: QueryService = QueryService { key: "sns", signing_name: "sns", version: "2010-03-31", env: "SNS" };
pub const CLOUDWATCH: QueryService = QueryService { key: "cloudwatch", signing_name: "monitoring", version: "2010-08-01", env: "CLOUDWATCH" };
pub const RDS: QueryService = QueryService { key: "rds", signing_name: "rds", version: "2014-10-31", env: "RDS" };
pub const ELBV2: QueryService = QueryService { key: "elbv2", signing_name: "elasticloadbalancing", version: "2015-12-01", env: "ELASTIC_LOAD_BALANCING_V2" };
pub const AUTOSCALING: QueryService = QueryService { key: "autoscaling", signing_name: "autoscaling", version: "2011-01-01", env: "AUTO_SCALING" };

/// Every service of this client.
pub const SERVICES: [&QueryService; 5] = [&SNS, &CLOUDWATCH, &RDS, &ELBV2, &AUTOSCALING];

/// Whether an error says the object does not exist (SNS `NotFound`, CloudWatch
/// `ResourceNotFound`, and the JSON services' codes).
pub fn gone(e: &ApiError) -> bool {
    e.not_found() || matches!(e.code.as_str(), "NotFound" | "ResourceNotFound" | "NotFoundException")
}

/// A request's parameters, in order (`Action` and `Version` are added by the client).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn new() -> Params {
        Params::default()
    }

    /// One parameter.
    pub fn add(mut self, name: &str, value: impl Into<String>) -> Params {
        self.0.push((name.to_string(), value.into()));
        self
    }

    /// A list: `<prefix>.member.1=...`, `<prefix>.member.2=...`.
    pub fn list<S: AsRef<str>>(mut self, prefix: &str, items: impl IntoIterator<Item = S>) -> Params {
        for (i, v) in items.into_iter().enumerate() {
            self.0.push((format!("{prefix}.member.{}", i + 1), v.as_ref().to_string()));
        }
        self
    }

    /// A list of pairs: `<prefix>.member.N.<k>=key`, `<prefix>.member.N.<v>=value` (tags,
    /// dimensions).
    pub fn pairs(mut self, prefix: &str, (k, v): (&str, &str), items: &BTreeMap<String, String>) -> Params {
        for (i, (key, value)) in items.iter().enumerate() {
            self.0.push((format!("{prefix}.member.{}.{k}", i + 1), key.clone()));
            self.0.push((format!("{prefix}.member.{}.{v}", i + 1), value.clone()));
        }
        self
    }

    /// A map: `<prefix>.entry.N.key=...`, `<prefix>.entry.N.value=...` (SNS attributes).
    pub fn entries(mut self, prefix: &str, items: &BTreeMap<String, String>) -> Params {
        for (i, (key, value)) in items.iter().enumerate() {
            self.0.push((format!("{prefix}.entry.{}.key", i + 1), key.clone()));
            self.0.push((format!("{prefix}.entry.{}.value", i + 1), value.clone()));
        }
        self
    }

    /// The form-encoded body of `action` (every byte but the unreserved ones percent-encoded).
    fn body(&self, service: &QueryService, action: &str) -> String {
        const FORM: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
        let all = [("Action".to_string(), action.to_string()), ("Version".to_string(), service.version.to_string())];
        let mut out = String::new();
        for (k, v) in all.iter().chain(self.0.iter()) {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(&utf8_percent_encode(k, FORM).to_string());
            out.push('=');
            out.push_str(&utf8_percent_encode(v, FORM).to_string());
        }
        out
    }
}

/// The Query-protocol client of a configured provider.
pub struct QueryApi {
    core: Signed,
}

impl QueryApi {
    /// The client for a provider.
    pub(super) fn new(setup: &Setup) -> QueryApi {
        let services = SERVICES.iter().map(|s| Addressing { key: s.key, alias: None, env: s.env, signing_name: s.signing_name });
        QueryApi { core: Signed::new(setup, services) }
    }

    /// A client with static credentials and every service at one endpoint (tests, tools).
    pub fn for_endpoint(endpoint: &str, region: &str, access_key: &str, secret_key: &str) -> QueryApi {
        QueryApi { core: Signed::for_endpoint(endpoint, region, (access_key, secret_key), "skyform-query-api", SERVICES.iter().map(|s| s.key)) }
    }

    /// The endpoint a service's calls go to.
    pub fn endpoint(&self, service: &QueryService) -> &str {
        self.core.endpoint(service.key)
    }

    /// Calls `action` with the read/update retry budget; the answer's root element.
    pub async fn call(&self, service: &QueryService, action: &str, params: Params) -> Result<Xml, ApiError> {
        self.send(service, action, &params, false).await
    }

    /// Calls `action` with the raised retry budget of creates and deletes.
    pub async fn write(&self, service: &QueryService, action: &str, params: Params) -> Result<Xml, ApiError> {
        self.send(service, action, &params, true).await
    }

    async fn send(&self, service: &QueryService, action: &str, params: &Params, write: bool) -> Result<Xml, ApiError> {
        let url = self.endpoint(service).to_string();
        let call = Call {
            signing_name: service.signing_name,
            method: "POST",
            url: url.clone(),
            headers: vec![("content-type".to_string(), "application/x-www-form-urlencoded; charset=utf-8".to_string())],
            body: Some(params.body(service, action).into_bytes()),
            write,
        };
        self.core
            .send(&call, |status, _, bytes| {
                let text = String::from_utf8_lossy(bytes);
                let xml = Xml::parse(&text);
                if (200..300).contains(&status) {
                    return xml.map_err(|e| ApiError { code: "InvalidResponse".into(), message: format!("{url}: unreadable answer: {e}"), status });
                }
                Err(error_of(status, xml.ok().as_ref(), &text))
            })
            .await
    }

    /// Takes an object's tags from `prior`'s `tags_all` to `planned`'s: `UntagResource` with
    /// the keys dropped, then `TagResource` with the tags new or changed. `arn_param` names the
    /// object's parameter (`ResourceArn` for SNS, `ResourceARN` for CloudWatch).
    pub async fn sync_tags(&self, service: &QueryService, arn_param: &str, arn: &str, prior: &Value, planned: &Value) -> Result<(), ApiError> {
        use crate::provider::helpers::attr;
        let (stale, new) = tag_changes(attr(prior, "tags_all"), attr(planned, "tags_all"));
        if !stale.is_empty() {
            self.call(service, "UntagResource", Params::new().add(arn_param, arn).list("TagKeys", &stale)).await?;
        }
        if !new.is_empty() {
            self.call(service, "TagResource", Params::new().add(arn_param, arn).pairs("Tags", ("Key", "Value"), &new)).await?;
        }
        Ok(())
    }
}

/// An error answer (`<ErrorResponse><Error><Code>..</Code><Message>..</Message>`) as an
/// [`ApiError`]; the start of the body where it is not one.
fn error_of(status: u16, xml: Option<&Xml>, raw: &str) -> ApiError {
    let error = xml.and_then(|x| if x.name == "Error" { Some(x) } else { x.find("Error") });
    let code = error.and_then(|e| e.text_of("Code")).unwrap_or_default();
    let message = error.and_then(|e| e.text_of("Message").or_else(|| e.text_of("message"))).unwrap_or_else(|| raw.chars().take(500).collect());
    let message = if message.is_empty() { format!("HTTP {status}") } else { message };
    ApiError { code, message, status }
}

/// An XML element: its name (without a namespace prefix), its text (entities decoded), its
/// child elements in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Xml {
    pub name: String,
    pub text: String,
    pub children: Vec<Xml>,
}

impl Xml {
    /// The document's root element.
    pub fn parse(s: &str) -> Result<Xml, String> {
        let mut stack: Vec<Xml> = vec![Xml::default()];
        let mut rest = s;
        while !rest.is_empty() {
            let Some(lt) = rest.find('<') else {
                push_text(&mut stack, rest);
                break;
            };
            push_text(&mut stack, &rest[..lt]);
            rest = &rest[lt..];
            let skip = |rest: &str, end: &str| rest.find(end).map(|i| i + end.len()).ok_or_else(|| format!("unterminated {}", &rest[..rest.len().min(20)]));
            if rest.starts_with("<?") {
                rest = &rest[skip(rest, "?>")?..];
            } else if rest.starts_with("<!--") {
                rest = &rest[skip(rest, "-->")?..];
            } else if let Some(cdata) = rest.strip_prefix("<![CDATA[") {
                let end = cdata.find("]]>").ok_or("unterminated CDATA")?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&cdata[..end]);
                }
                rest = &cdata[end + 3..];
            } else if rest.starts_with("<!") {
                rest = &rest[skip(rest, ">")?..];
            } else if let Some(close) = rest.strip_prefix("</") {
                let end = close.find('>').ok_or("unterminated end tag")?;
                let name = local(close[..end].trim());
                let done = stack.pop().filter(|e| e.name == name && !stack.is_empty()).ok_or_else(|| format!("unexpected </{name}>"))?;
                stack.last_mut().ok_or("unbalanced document")?.children.push(done);
                rest = &close[end + 1..];
            } else {
                let end = tag_end(rest).ok_or("unterminated tag")?;
                let tag = &rest[1..end];
                let closed = tag.ends_with('/');
                let name = local(tag.trim_end_matches('/').split(|c: char| c.is_whitespace()).next().unwrap_or_default());
                if name.is_empty() {
                    return Err("an element without a name".into());
                }
                let element = Xml { name: name.to_string(), ..Xml::default() };
                if closed {
                    stack.last_mut().ok_or("unbalanced document")?.children.push(element);
                } else {
                    stack.push(element);
                }
                rest = &rest[end + 1..];
            }
        }
        match stack.pop() {
            Some(mut doc) if stack.is_empty() && !doc.children.is_empty() => Ok(doc.children.remove(0)),
            Some(e) if !stack.is_empty() => Err(format!("<{}> is not closed", e.name)),
            _ => Err("no element".into()),
        }
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Xml> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The child elements named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Xml> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first element named `name` below this one, depth first.
    pub fn find(&self, name: &str) -> Option<&Xml> {
        self.children.iter().find_map(|c| if c.name == name { Some(c) } else { c.find(name) })
    }

    /// The text of the child element named `name`.
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.clone())
    }

    /// The `<member>`s of the child list `name` (`<AlarmActions><member>..`).
    pub fn members<'a>(&'a self, name: &str) -> Vec<&'a Xml> {
        self.child(name).map(|l| l.all("member").collect()).unwrap_or_default()
    }

    /// The `<entry><key>k</key><value>v</value></entry>`s of the map `name` (SNS attributes).
    pub fn entries(&self, name: &str) -> BTreeMap<String, String> {
        let entries = self.child(name).map(|m| m.all("entry").collect::<Vec<_>>()).unwrap_or_default();
        entries.into_iter().map(|e| (e.text_of("key").unwrap_or_default(), e.text_of("value").unwrap_or_default())).collect()
    }

    /// The `<member><k>..</k><v>..</v></member>`s of the list `name` as a map (tags, dimensions).
    pub fn pairs(&self, name: &str, (k, v): (&str, &str)) -> BTreeMap<String, String> {
        self.members(name).into_iter().map(|m| (m.text_of(k).unwrap_or_default(), m.text_of(v).unwrap_or_default())).collect()
    }
}

/// A tag's name without its namespace prefix (`sns:Topic` -> `Topic`).
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The index of the `>` closing the tag `s` starts with (a `>` inside a quoted attribute
/// value does not count).
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn push_text(stack: &mut [Xml], raw: &str) {
    if let Some(top) = stack.last_mut() {
        if !raw.is_empty() {
            top.text.push_str(&unescape(raw));
        }
    }
}

/// Decodes the five predefined entities and character references.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e <= 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_answers_and_errors() {
        let doc = r#"<?xml version="1.0"?>
<GetTopicAttributesResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><GetTopicAttributesResult><Attributes>
<entry><key>Policy</key><value>{&quot;a&quot;:&quot;b &amp; c&quot;}</value></entry><entry><key>DisplayName</key><value/></entry>
</Attributes></GetTopicAttributesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetTopicAttributesResponse>"#;
        let x = Xml::parse(doc).unwrap();
        assert_eq!(x.name, "GetTopicAttributesResponse");
        let attrs = x.find("GetTopicAttributesResult").unwrap().entries("Attributes");
        assert_eq!(attrs.get("Policy").map(String::as_str), Some(r#"{"a":"b & c"}"#));
        assert_eq!(attrs.get("DisplayName").map(String::as_str), Some(""));
        let err = r#"<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error></ErrorResponse>"#;
        let e = error_of(404, Xml::parse(err).ok().as_ref(), err);
        assert_eq!((e.code.as_str(), e.message.as_str()), ("NotFound", "Topic does not exist"));
        assert!(gone(&e) && !e.retryable());
        let t = "<a x='1>2'><b>&#65;&#x42;&lt;<![CDATA[<raw>]]></b><c/></a>";
        let x = Xml::parse(t).unwrap();
        assert_eq!((x.text_of("b").as_deref(), x.child("c").map(|c| c.text.as_str())), (Some("AB<<raw>"), Some("")));
        assert!(Xml::parse("<a><b></a>").is_err());
        assert!(error_of(503, None, "busy").retryable());
    }

    #[test]
    fn params_are_form_encoded() {
        let tags: BTreeMap<String, String> = [("env".to_string(), "a b/c".to_string())].into();
        let p = Params::new().add("Name", "t.fifo").list("AlarmActions", ["arn:x"]).pairs("Tags", ("Key", "Value"), &tags).entries("Attributes", &tags);
        assert_eq!(
            p.body(&SNS, "CreateTopic"),
            "Action=CreateTopic&Version=2010-03-31&Name=t.fifo&AlarmActions.member.1=arn%3Ax&Tags.member.1.Key=env&Tags.member.1.Value=a%20b%2Fc&Attributes.entry.1.key=env&Attributes.entry.1.value=a%20b%2Fc"
        );
        assert_eq!(super::super::signed::regional(CLOUDWATCH.signing_name, "eu-west-1"), "https://monitoring.eu-west-1.amazonaws.com");
    }
}
