//! Plan review renderings (text, Terraform JSON, Markdown) over a fixed set of plans, as insta
//! snapshots: a create, a multi-line string update, a JSON policy only reformatted and one
//! changed, replacements with each reason, deletes, sensitive values, outputs, an empty plan,
//! and a plan too large for one comment.

use skyform::plan::{Action, ActionReason, OutputChange, Plan, ResourceChange};
use skyform::provider::Registry;
use skyform::value::{PathStep, Value};
use skyform::view::markdown::{render_markdown, MAX_COMMENT};
use skyform::view::plan_json::plan_json;
use skyform::view::plan_text::render_plan;
use skyform::view::Colors;

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())))
}

fn change(address: &str, action: Action, reason: Option<ActionReason>, before: Value, after: Value) -> ResourceChange {
    let (res, index) = match address.split_once('[') {
        Some((r, i)) => (r, Some(serde_json::from_str(i.trim_end_matches(']')).unwrap())),
        None => (address, None),
    };
    let (type_name, name) = res.split_once('.').unwrap();
    ResourceChange {
        address: address.into(),
        module: String::new(),
        mode: "managed".into(),
        type_name: type_name.into(),
        name: name.into(),
        index,
        provider: "provider[\"terraform.io/builtin/terraform\"]".into(),
        action,
        reason,
        before,
        after,
        requires_replace: Vec::new(),
        importing: None,
        previous_address: None,
        generated_config: None,
    }
}

fn s(x: &str) -> Value {
    Value::string(x)
}

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::site/*"}]}"#;

/// The fixed set of plans, by name.
fn plans() -> Vec<(&'static str, Plan)> {
    let script_old: String = (1..=12).map(|i| format!("echo step {i}\n")).collect();
    let script_new = script_old.replace("echo step 6\n", "echo step six\necho extra\n");
    let mut replace_forced = change(
        "terraform_data.release",
        Action::DeleteThenCreate,
        Some(ActionReason::ReplaceBecauseCannotUpdate),
        obj(&[("id", s("r-1")), ("input", s("v1")), ("output", s("v1")), ("triggers_replace", Value::List(vec![s("v1")]))]),
        obj(&[("id", Value::Unknown), ("input", s("v1")), ("output", Value::Unknown), ("triggers_replace", Value::List(vec![s("v2")]))]),
    );
    replace_forced.requires_replace = vec![vec![PathStep::Key("triggers_replace".into())]];
    let everything = Plan {
        changes: vec![
            change(
                "terraform_data.new",
                Action::Create,
                None,
                Value::Null,
                obj(&[("id", Value::Unknown), ("input", obj(&[("name", s("web")), ("port", Value::Number(8080.0))])), ("output", Value::Unknown)]),
            ),
            change(
                "terraform_data.script",
                Action::Update,
                None,
                obj(&[("id", s("s-1")), ("input", Value::String(script_old.clone()))]),
                obj(&[("id", s("s-1")), ("input", Value::String(script_new))]),
            ),
            change(
                "terraform_data.policy_reformatted",
                Action::Update,
                None,
                obj(&[("id", s("p-1")), ("input", s(POLICY))]),
                obj(&[
                    ("id", s("p-1")),
                    ("input", Value::String(serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(POLICY).unwrap()).unwrap())),
                ]),
            ),
            change(
                "terraform_data.policy_changed",
                Action::Update,
                None,
                obj(&[("id", s("p-2")), ("input", s(POLICY))]),
                obj(&[("id", s("p-2")), ("input", s(&POLICY.replace("s3:GetObject", "s3:*")))]),
            ),
            replace_forced,
            change(
                "terraform_data.triggered",
                Action::DeleteThenCreate,
                Some(ActionReason::ReplaceByTriggers),
                obj(&[("id", s("t-1")), ("input", s("same"))]),
                obj(&[("id", Value::Unknown), ("input", s("same"))]),
            ),
            change(
                "terraform_data.requested",
                Action::CreateThenDelete,
                Some(ActionReason::ReplaceByRequest),
                obj(&[("id", s("q-1")), ("input", s("same"))]),
                obj(&[("id", Value::Unknown), ("input", s("same"))]),
            ),
            change(
                "terraform_data.old",
                Action::Delete,
                Some(ActionReason::DeleteBecauseNoResourceConfig),
                obj(&[("id", s("o-1")), ("input", s("bye"))]),
                Value::Null,
            ),
            change(
                "terraform_data.n[2]",
                Action::Delete,
                Some(ActionReason::DeleteBecauseCountIndex),
                obj(&[("id", s("n-2")), ("input", Value::Number(2.0))]),
                Value::Null,
            ),
            change(
                "terraform_data.secret",
                Action::Update,
                None,
                obj(&[("id", s("x-1")), ("input", obj(&[("user", s("admin")), ("password", s("old-hunter2").mark())]))]),
                obj(&[("id", s("x-1")), ("input", obj(&[("user", s("admin")), ("password", s("new-hunter3").mark())]))]),
            ),
            change("terraform_data.same", Action::NoOp, None, obj(&[("id", s("z-1"))]), obj(&[("id", s("z-1"))])),
        ],
        outputs: vec![
            OutputChange { name: "url".into(), action: Action::Update, before: s("http://a"), after: s("http://b"), sensitive: false },
            OutputChange { name: "new_id".into(), action: Action::Create, before: Value::Null, after: Value::Unknown, sensitive: false },
            OutputChange { name: "token".into(), action: Action::Update, before: s("tok-old-secret"), after: s("tok-new-secret"), sensitive: true },
        ],
        ..Plan::default()
    };
    let empty =
        Plan { changes: vec![change("terraform_data.same", Action::NoOp, None, obj(&[("id", s("z-1"))]), obj(&[("id", s("z-1"))]))], ..Plan::default() };
    vec![("everything", everything), ("empty", empty)]
}

fn json_without_timestamp(plan: &Plan) -> String {
    let mut j = plan_json(plan, None);
    j.as_object_mut().unwrap().remove("timestamp");
    serde_json::to_string_pretty(&j).unwrap()
}

#[test]
fn text_json_and_markdown_snapshots() {
    for (name, plan) in plans() {
        let text = render_plan(&plan, &Registry::builtin(), Colors::new(false));
        let json = json_without_timestamp(&plan);
        let md = render_markdown(&plan, &Registry::builtin(), MAX_COMMENT);
        for out in [&text, &json, &md] {
            for secret in ["hunter2", "hunter3", "tok-old-secret", "tok-new-secret"] {
                assert!(!out.contains(secret), "{name}: {secret} leaked:\n{out}");
            }
        }
        insta::assert_snapshot!(format!("{name}_text"), text);
        insta::assert_snapshot!(format!("{name}_json"), json);
        insta::assert_snapshot!(format!("{name}_markdown"), md);
    }
}

#[test]
fn markdown_puts_destructive_changes_first_and_explains_replacements() {
    let (_, plan) = plans().remove(0);
    let md = render_markdown(&plan, &Registry::builtin(), MAX_COMMENT);
    assert!(md.contains("**Plan: 4 to add, 4 to change, 5 to destroy.**"), "{md}");
    let caution = md.find("[!CAUTION]").unwrap();
    let table = md.find("| | Resource |").unwrap();
    assert!(caution < table);
    // In the table, the destructive rows come first.
    let rows: Vec<&str> = md[table..].lines().skip(2).take_while(|l| l.starts_with('|')).collect();
    let destructive = |r: &&str| r.contains("| destroy |") || r.contains("| replace");
    let first_other = rows.iter().position(|r| !destructive(r)).unwrap();
    assert_eq!(first_other, 5, "{rows:#?}");
    assert!(rows[first_other..].iter().all(|r| !destructive(r)), "{rows:#?}");
    assert!(md.contains("`triggers_replace` forces replacement"));
    assert!(md.contains("`replace_triggered_by` changed"));
    assert!(md.contains("replacement requested with `-replace`"));
    assert!(md.contains("no longer in the configuration"));
    assert!(md.contains("```diff\n"));
    assert!(md.contains("<details><summary>"));
}

#[test]
fn empty_plan_is_one_short_line() {
    let (_, plan) = plans().remove(1);
    let md = render_markdown(&plan, &Registry::builtin(), MAX_COMMENT);
    assert_eq!(md.lines().count(), 1, "{md}");
}

#[test]
fn huge_plans_are_trimmed_resource_by_resource_with_a_note() {
    let big: String = (0..200).map(|i| format!("line {i} of a long generated file\n")).collect();
    let plan = Plan {
        changes: (0..400)
            .map(|i| {
                change(
                    &format!("terraform_data.r[{i}]"),
                    Action::Create,
                    None,
                    Value::Null,
                    obj(&[("id", Value::Unknown), ("input", Value::String(big.clone()))]),
                )
            })
            .collect(),
        ..Plan::default()
    };
    let md = render_markdown(&plan, &Registry::builtin(), MAX_COMMENT);
    assert!(md.len() <= MAX_COMMENT, "{} characters", md.len());
    assert!(md.contains("**Plan: 400 to add, 0 to change, 0 to destroy.**"));
    let shown = md.matches("<details>").count();
    assert!(shown > 0 && shown < 400, "{shown} sections");
    assert!(md.contains(&format!("> {} resource diffs were left out", 400 - shown)), "{}", &md[md.len() - 400..]);
    // Every section that is there is complete.
    assert_eq!(md.matches("<details>").count(), md.matches("</details>").count());

    // With ten thousand resources even the table is trimmed.
    let plan = Plan {
        changes: (0..10_000).map(|i| change(&format!("terraform_data.r[{i}]"), Action::Create, None, Value::Null, obj(&[("id", Value::Unknown)]))).collect(),
        ..Plan::default()
    };
    let md = render_markdown(&plan, &Registry::builtin(), MAX_COMMENT);
    assert!(md.len() <= MAX_COMMENT, "{} characters", md.len());
    assert!(md.contains("rows of the table and every resource diff were left out"), "{}", &md[md.len() - 400..]);
}
