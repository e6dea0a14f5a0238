//! Engine behaviour on the strict in-memory test driver: actions, unknowns, drift, lifecycle,
//! failures, modules, data sources and state commits.

use skyform::engine::PlanOptions;
use skyform::plan::{Action, ActionReason};
use skyform::value::Value;

use crate::common::{action, changes, Fixture};

const TWO: &str = r#"
resource "test_thing" "a" {
  name  = "a"
  value = "one"
}

resource "test_thing" "b" {
  name  = "b"
  value = test_thing.a.computed_value
}
"#;

#[test]
fn create_then_no_changes() {
    let f = Fixture::new(TWO);
    let plan = f.plan().unwrap();
    assert_eq!(action(&plan, "test_thing.a"), Action::Create);
    // b depends on a computed value: unknown until apply.
    assert_eq!(plan.change("test_thing.b").unwrap().after.get_attr("value"), Some(&Value::Unknown));
    let res = f.apply_plan(&plan);
    assert!(!res.diagnostics.has_errors(), "{}", res.diagnostics);
    assert_eq!(res.counts.added, 2);
    let state = f.store.load().unwrap();
    assert_eq!(state.resources["test_thing.b"].attributes.get_attr("value"), Some(&Value::string("computed-a")));
    assert_eq!(state.resources["test_thing.b"].dependencies, vec!["test_thing.a".to_string()]);
    let again = f.plan().unwrap();
    assert!(!again.has_changes(), "{:?}", changes(&again));
}

#[test]
fn update_in_place_and_force_new_replacement() {
    let f = Fixture::new("resource \"test_thing\" \"a\" {\n  name = \"a\"\n  value = 1\n  replace_me = \"x\"\n}\n");
    f.apply();
    f.write("main.tf", "resource \"test_thing\" \"a\" {\n  name = \"a\"\n  value = 2\n  replace_me = \"x\"\n}\n");
    let plan = f.plan().unwrap();
    assert_eq!(action(&plan, "test_thing.a"), Action::Update);
    f.apply_plan(&plan);
    f.write("main.tf", "resource \"test_thing\" \"a\" {\n  name = \"a\"\n  value = 2\n  replace_me = \"y\"\n}\n");
    let plan = f.plan().unwrap();
    let c = plan.change("test_thing.a").unwrap();
    assert_eq!(c.action, Action::DeleteThenCreate);
    assert_eq!(c.reason, Some(ActionReason::ReplaceBecauseCannotUpdate));
    assert!(!c.requires_replace.is_empty());
    let res = f.apply_plan(&plan);
    assert!(!res.diagnostics.has_errors(), "{}", res.diagnostics);
    assert_eq!((res.counts.added, res.counts.destroyed), (1, 1));
    assert_eq!(f.cloud.objects().len(), 1);
}

#[test]
fn create_before_destroy_orders_replacement() {
    let f = Fixture::new("resource \"test_thing\" \"a\" {\n  name = \"a\"\n  replace_me = \"x\"\n  lifecycle {\n    create_before_destroy = true\n  }\n}\n");
    f.apply();
    f.write("main.tf", "resource \"test_thing\" \"a\" {\n  name = \"a\"\n  replace_me = \"y\"\n  lifecycle {\n    create_before_destroy = true\n  }\n}\n");
    let plan = f.plan().unwrap();
    assert_eq!(action(&plan, "test_thing.a"), Action::CreateThenDelete);
    let res = f.apply_plan(&plan);
    assert!(!res.diagnostics.has_errors(), "{}", res.diagnostics);
    let calls = f.cloud.calls();
    let create = calls.iter().rposition(|c| c.starts_with("apply create")).unwrap();
    let delete = calls.iter().rposition(|c| c.starts_with("apply delete")).unwrap();
    assert!(create < delete, "{calls:?}");
}

#[test]
fn removed_resource_and_count_shrink_are_deleted() {
    let f = Fixture::new(
        "resource \"test_thing\" \"n\" {\n  count = 3\n  name = \"n${count.index}\"\n}\nresource \"test_thing\" \"gone\" {\n  name = \"gone\"\n}\n",
    );
    f.apply();
    f.write("main.tf", "resource \"test_thing\" \"n\" {\n  count = 2\n  name = \"n${count.index}\"\n}\n");
    let plan = f.plan().unwrap();
    assert_eq!(changes(&plan), vec![("test_thing.gone".into(), Action::Delete), ("test_thing.n[2]".into(), Action::Delete)]);
    assert_eq!(plan.change("test_thing.n[2]").unwrap().reason, Some(ActionReason::DeleteBecauseCountIndex));
    assert_eq!(plan.change("test_thing.gone").unwrap().reason, Some(ActionReason::DeleteBecauseNoResourceConfig));
    f.apply_plan(&plan);
    assert_eq!(f.addresses(), vec!["test_thing.n[0]", "test_thing.n[1]"]);
}

#[test]
fn for_each_keys_and_each_value() {
    let f = Fixture::new("resource \"test_thing\" \"m\" {\n  for_each = { a = \"1\", b = \"2\" }\n  name = each.key\n  value = each.value\n}\n");
    f.apply();
    assert_eq!(f.addresses(), vec!["test_thing.m[\"a\"]", "test_thing.m[\"b\"]"]);
    f.write("main.tf", "resource \"test_thing\" \"m\" {\n  for_each = toset([\"a\"])\n  name = each.key\n  value = \"1\"\n}\n");
    let plan = f.plan().unwrap();
    assert_eq!(plan.change("test_thing.m[\"b\"]").unwrap().reason, Some(ActionReason::DeleteBecauseEachKey));
    assert_eq!(action(&plan, "test_thing.m[\"a\"]"), Action::NoOp);
}

#[test]
fn drift_is_detected_by_refresh() {
    let f = Fixture::new("resource \"test_thing\" \"a\" {\n  name = \"a\"\n  value = \"v\"\n}\nresource \"test_thing\" \"b\" {\n  name = \"b\"\n}\n");
    f.apply();
    let ids: Vec<String> = f.cloud.objects().keys().cloned().collect();
    let state = f.store.load().unwrap();
    let a_id = state.resources["test_thing.a"].attributes.get_attr("id").and_then(|v| v.as_str()).unwrap().to_string();
    let b_id = state.resources["test_thing.b"].attributes.get_attr("id").and_then(|v| v.as_str()).unwrap().to_string();
    assert!(ids.contains(&a_id));
    f.cloud.set_attr(&a_id, "value", Value::string("edited outside"));
    f.cloud.remove(&b_id);
    let plan = f.plan().unwrap();
    assert_eq!(action(&plan, "test_thing.a"), Action::Update);
    assert_eq!(action(&plan, "test_thing.b"), Action::Create);
    assert_eq!(plan.change("test_thing.b").unwrap().reason, Some(ActionReason::CreateBecauseDeletedOutside));
    // Without refresh the drift is not seen.
    let plan = f.plan_with(&[], PlanOptions { refresh: false, ..PlanOptions::default() }).unwrap();
    assert!(!plan.has_changes());
    // Refresh reads in one batch.
    assert!(f.cloud.calls().iter().any(|c| c.starts_with("read_batch")), "{:?}", f.cloud.calls());
}

#[test]
fn prevent_destroy_blocks_the_plan() {
    let f = Fixture::new("resource \"test_thing\" \"a\" {\n  name = \"a\"\n  replace_me = \"1\"\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n");
    f.apply();
    f.write("main.tf", "resource \"test_thing\" \"a\" {\n  name = \"a\"\n  replace_me = \"2\"\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n");
    let err = f.plan().unwrap_err();
    assert!(err.to_string().contains("Instance cannot be destroyed"), "{err}");
    let err = f.plan_with(&[], PlanOptions { destroy: true, ..PlanOptions::default() }).unwrap_err();
    assert!(err.to_string().contains("prevent_destroy"), "{err}");
}

#[test]
fn ignore_changes_and_replace_triggered_by() {
    let f = Fixture::new(
        "resource \"test_thing\" \"a\" {\n  name = \"a\"\n  value = \"1\"\n  tags = { k = \"v\" }\n  lifecycle {\n    ignore_changes = [tags]\n  }\n}\nresource \"test_thing\" \"b\" {\n  name = \"b\"\n  lifecycle {\n    replace_triggered_by = [test_thing.a]\n  }\n}\n",
    );
    f.apply();
    f.write(
        "main.tf",
        "resource \"test_thing\" \"a\" {\n  name = \"a\"\n  value = \"1\"\n  tags = { k = \"changed\" }\n  lifecycle {\n    ignore_changes = [tags]\n  }\n}\nresource \"test_thing\" \"b\" {\n  name = \"b\"\n  lifecycle {\n    replace_triggered_by = [test_thing.a]\n  }\n}\n",
    );
    assert!(!f.plan().unwrap().has_changes());
    f.write(
        "main.tf",
        "resource \"test_thing\" \"a\" {\n  name = \"a\"\n  value = \"2\"\n  lifecycle {\n    ignore_changes = [tags]\n  }\n}\nresource \"test_thing\" \"b\" {\n  name = \"b\"\n  lifecycle {\n    replace_triggered_by = [test_thing.a]\n  }\n}\n",
    );
    let plan = f.plan().unwrap();
    assert_eq!(action(&plan, "test_thing.a"), Action::Update);
    let b = plan.change("test_thing.b").unwrap();
    assert_eq!((b.action, b.reason.clone()), (Action::DeleteThenCreate, Some(ActionReason::ReplaceByTriggers)));
}

#[test]
fn replace_flag_forces_replacement() {
    let f = Fixture::new("resource \"test_thing\" \"a\" {\n  name = \"a\"\n}\n");
    f.apply();
    let plan = f.plan_with(&[], PlanOptions { replace: vec!["test_thing.a".into()], ..PlanOptions::default() }).unwrap();
    let c = plan.change("test_thing.a").unwrap();
    assert_eq!((c.action, c.reason.clone()), (Action::DeleteThenCreate, Some(ActionReason::ReplaceByRequest)));
}

#[test]
fn failure_stops_only_dependents_and_keeps_finished_work() {
    let f = Fixture::new(
        "resource \"test_thing\" \"bad\" {\n  name = \"bad\"\n  fail_on = \"create\"\n}\nresource \"test_thing\" \"child\" {\n  name = test_thing.bad.id\n}\nresource \"test_thing\" \"ok\" {\n  name = \"ok\"\n}\n",
    );
    let res = f.apply();
    assert!(res.diagnostics.has_errors());
    let text = res.diagnostics.to_string();
    assert!(text.contains("test_thing.bad"), "{text}");
    assert_eq!(f.addresses(), vec!["test_thing.ok"]);
    assert!(f.store.pending_operations().unwrap().is_empty());
    // The next plan converges: only the failed and skipped resources remain to create.
    f.write("main.tf", "resource \"test_thing\" \"bad\" {\n  name = \"bad\"\n}\nresource \"test_thing\" \"child\" {\n  name = test_thing.bad.id\n}\nresource \"test_thing\" \"ok\" {\n  name = \"ok\"\n}\n");
    let plan = f.plan().unwrap();
    assert_eq!(changes(&plan).len(), 2);
    assert_eq!(action(&plan, "test_thing.ok"), Action::NoOp);
}

#[test]
fn count_on_unknown_is_an_error() {
    let f = Fixture::new("resource \"test_thing\" \"a\" {\n  name = \"a\"\n}\nresource \"test_thing\" \"b\" {\n  count = length(test_thing.a.computed_value)\n  name = \"b\"\n}\n");
    let err = f.plan().unwrap_err();
    assert!(err.to_string().contains("Invalid count argument"), "{err}");
}

#[test]
fn sensitive_values_are_marked_in_plan_and_state() {
    let f = Fixture::new("variable \"pw\" {\n  type = string\n  sensitive = true\n}\nresource \"test_thing\" \"a\" {\n  name = \"a\"\n  value = var.pw\n  secret = \"s3cret\"\n}\n");
    let plan = f.plan_with(&[("pw", Value::string("hunter2"))], PlanOptions::default()).unwrap();
    let after = &plan.change("test_thing.a").unwrap().after;
    assert!(after.get_attr("value").unwrap().is_sensitive());
    assert!(after.get_attr("secret").unwrap().is_sensitive());
    let text = skyform::view::plan_text::render_plan(&plan, &f.registry, skyform::view::Colors::new(false));
    assert!(!text.contains("hunter2") && !text.contains("s3cret"), "{text}");
    f.apply_plan(&plan);
    let state = f.store.load().unwrap();
    assert_eq!(state.resources["test_thing.a"].sensitive_paths.len(), 2);
}

#[test]
fn modules_nest_addresses_and_pass_outputs() {
    let f = Fixture::new("module \"net\" {\n  source = \"./modules/net\"\n  prefix = \"p\"\n}\nresource \"test_thing\" \"top\" {\n  name = module.net.thing_name\n}\noutput \"n\" {\n  value = module.net.thing_name\n}\n");
    f.write("modules/net/main.tf", "variable \"prefix\" {\n  type = string\n}\nresource \"test_thing\" \"inner\" {\n  name = \"${var.prefix}-inner\"\n}\noutput \"thing_name\" {\n  value = test_thing.inner.name\n}\n");
    let res = f.apply();
    assert!(!res.diagnostics.has_errors(), "{}", res.diagnostics);
    assert_eq!(f.addresses(), vec!["module.net.test_thing.inner", "test_thing.top"]);
    assert_eq!(res.outputs["n"].0, Value::string("p-inner"));
    assert_eq!(f.store.load().unwrap().outputs["n"].value, Value::string("p-inner"));
}

#[test]
fn data_sources_are_read_during_plan() {
    let f = Fixture::new("data \"test_lookup\" \"x\" {\n  name = \"q\"\n}\nresource \"test_thing\" \"a\" {\n  name = data.test_lookup.x.value\n}\n");
    let plan = f.plan().unwrap();
    assert_eq!(plan.change("test_thing.a").unwrap().after.get_attr("name"), Some(&Value::string("looked-up-q")));
}

#[test]
fn destroy_removes_everything_in_reverse_order() {
    let f = Fixture::new(TWO);
    f.apply();
    let plan = f.plan_with(&[], PlanOptions { destroy: true, ..PlanOptions::default() }).unwrap();
    assert_eq!(plan.summary().destroy, 2);
    let res = f.apply_plan(&plan);
    assert!(!res.diagnostics.has_errors(), "{}", res.diagnostics);
    assert!(f.addresses().is_empty());
    assert!(f.cloud.objects().is_empty());
    let calls = f.cloud.calls();
    let del_b = calls.iter().position(|c| c.starts_with("apply delete") && c.ends_with(" b")).unwrap();
    let del_a = calls.iter().position(|c| c.starts_with("apply delete") && c.ends_with(" a")).unwrap();
    assert!(del_b < del_a, "{calls:?}");
}

#[test]
fn target_limits_the_plan() {
    let f = Fixture::new(TWO);
    let plan = f.plan_with(&[], PlanOptions { targets: vec!["test_thing.a".into()], ..PlanOptions::default() }).unwrap();
    assert_eq!(changes(&plan), vec![("test_thing.a".into(), Action::Create)]);
}

#[test]
fn saved_plan_values_are_applied_with_variables() {
    let f = Fixture::new("variable \"v\" {\n  type = number\n}\nresource \"test_thing\" \"a\" {\n  name = \"a\"\n  value = var.v * 2\n}\n");
    let plan = f.plan_with(&[("v", Value::Number(21.0))], PlanOptions::default()).unwrap();
    assert_eq!(plan.variables["v"], Value::Number(21.0));
    f.apply_plan(&plan);
    assert_eq!(f.store.load().unwrap().resources["test_thing.a"].attributes.get_attr("value"), Some(&Value::Number(42.0)));
}

#[test]
fn target_leaves_out_outputs_of_untargeted_resources_and_keeps_their_values() {
    let cfg = |bval: &str| {
        format!(
            "resource \"test_thing\" \"a\" {{\n  name = \"a\"\n  value = \"one\"\n}}\nresource \"test_thing\" \"b\" {{\n  name = \"b\"\n  value = \"{bval}\"\n}}\noutput \"oa\" {{\n  value = test_thing.a.value\n}}\noutput \"ob\" {{\n  value = test_thing.b.value\n}}\n"
        )
    };
    let f = Fixture::new(&cfg("two"));
    f.apply();
    f.write("main.tf", &cfg("three"));
    let opts = || PlanOptions { targets: vec!["test_thing.a".into()], ..PlanOptions::default() };
    let plan = f.plan_with(&[], opts()).unwrap();
    assert!(plan.outputs.iter().all(|o| o.name != "ob"), "{:?}", plan.outputs.iter().map(|o| &o.name).collect::<Vec<_>>());
    let res = f.apply_plan(&plan);
    assert!(!res.diagnostics.has_errors(), "{}", res.diagnostics);
    let outputs = f.store.load().unwrap().outputs;
    assert_eq!(outputs["ob"].value, Value::string("two"), "an untargeted output keeps its stored value");
    assert_eq!(outputs["oa"].value, Value::string("one"));

    // An import of one resource does not evaluate outputs of resources not imported yet.
    let g = Fixture::new(&cfg("two"));
    g.apply();
    let a_id = g.store.load().unwrap().resources["test_thing.a"].attributes.get_attr("id").and_then(|v| v.as_str()).unwrap().to_string();
    g.store.remove_resource("test_thing.a").unwrap();
    g.store.remove_resource("test_thing.b").unwrap();
    let (config, _) = skyform::config::load_config(g.path()).map_err(|(d, _)| d).unwrap();
    let engine = skyform::engine::Engine::new(&config, &g.registry, g.path(), &skyform::engine::NoHook);
    let state = g.store.load().unwrap();
    let imported = crate::common::rt().block_on(engine.import(&state, &Default::default(), "test_thing.a", &a_id));
    assert!(imported.is_ok(), "{}", imported.err().map(|d| d.to_string()).unwrap_or_default());
}

#[test]
fn states_of_an_older_schema_version_are_upgraded_before_planning() {
    let f = Fixture::new("resource \"test_thing\" \"a\" {\n  name = \"a\"\n  value = \"v\"\n}\n");
    f.apply();
    // Rewrite the stored state as schema version 0 wrote it.
    let mut entry = f.store.load().unwrap().resources["test_thing.a"].clone();
    entry.schema_version = 0;
    if let Value::Map(m) = &mut entry.attributes {
        let m = std::sync::Arc::make_mut(m);
        let v = m.remove("value").unwrap();
        m.insert("legacy_value".into(), v);
    }
    f.store.commit_resource(None, &entry).unwrap();
    for refresh in [true, false] {
        let plan = f.plan_with(&[], PlanOptions { refresh, ..PlanOptions::default() }).unwrap();
        assert!(!plan.has_changes(), "refresh={refresh}: {:?}", changes(&plan));
    }
    assert!(f.cloud.calls().iter().any(|c| c == "upgrade test_thing from 0"), "{:?}", f.cloud.calls());
}

/// A create-before-destroy replacement whose old object cannot be deleted keeps it in state as
/// a deposed object (Terraform's `(deposed object KEY)`); the next plan shows it and destroys it.
#[test]
fn a_deposed_object_stays_in_state_until_it_is_destroyed() {
    let cfg = |v: &str, fail: &str| {
        format!(
            "resource \"test_thing\" \"a\" {{\n  name = \"a\"\n  replace_me = \"{v}\"\n  {fail}\n  lifecycle {{\n    create_before_destroy = true\n  }}\n}}\n"
        )
    };
    let f = Fixture::new(&cfg("x", "fail_on = \"delete\""));
    assert!(!f.apply().diagnostics.has_errors());
    let old_id = f.cloud.objects().keys().next().unwrap().clone();
    f.write("main.tf", &cfg("y", ""));
    let res = f.apply();
    let text = res.diagnostics.to_string();
    assert!(res.diagnostics.has_errors(), "the old object's delete should fail");
    assert!(text.contains("kept in state as test_thing.a (deposed object "), "{text}");
    // Both objects exist, and both are in state: the new one current, the old one deposed.
    assert_eq!(f.cloud.objects().len(), 2);
    let state = f.store.load().unwrap();
    let deposed: Vec<&String> = state.resources.keys().filter(|k| k.starts_with("test_thing.a (deposed object ")).collect();
    assert_eq!(deposed.len(), 1, "{:?}", state.resources.keys().collect::<Vec<_>>());
    assert_eq!(state.resources[deposed[0]].attributes.get_attr("id").and_then(Value::as_str), Some(old_id.as_str()));
    assert_eq!(state.resources["test_thing.a"].attributes.get_attr("replace_me").and_then(Value::as_str), Some("y"));
    // The next plan destroys the deposed object (and only it); once it can be deleted, it goes.
    f.cloud.set_attr(&old_id, "fail_on", Value::Null);
    let plan = f.plan().unwrap();
    let changes = changes(&plan);
    assert_eq!(changes, [(deposed[0].clone(), Action::Delete)]);
    let text = skyform::view::plan_text::render_plan(&plan, &f.registry, skyform::view::Colors::new(false));
    assert!(text.contains(&format!("  # {} will be destroyed", deposed[0])), "{text}");
    assert!(text.contains("Plan: 0 to add, 0 to change, 1 to destroy."), "{text}");
    let json = skyform::view::plan_json::plan_json(&plan, None);
    let rc = json["resource_changes"].as_array().unwrap().iter().find(|rc| rc["change"]["actions"] == serde_json::json!(["delete"])).unwrap();
    assert_eq!((rc["address"].as_str(), rc["deposed"].as_str()), (Some("test_thing.a"), deposed[0].split("object ").nth(1).map(|k| k.trim_end_matches(')'))));
    let res = f.apply_plan(&plan);
    assert!(!res.diagnostics.has_errors(), "{}", res.diagnostics);
    assert_eq!(f.cloud.objects().len(), 1);
    assert_eq!(f.store.load().unwrap().resources.keys().collect::<Vec<_>>(), ["test_thing.a"]);
}
