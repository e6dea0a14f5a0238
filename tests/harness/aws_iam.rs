//! IAM cases, against moto: roles (trust policies from `aws_iam_policy_document`, tags from the
//! `aws_caller_identity`, `aws_region` and `aws_partition` data sources), managed policies,
//! inline role policies, policy attachments, instance profiles and users. Results are checked
//! with the IAM SDK, not through skyform.

use std::path::Path;

use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::state::State;

use super::{attr, run, Case, Import, Step};
use crate::common::{emulator, rt, skyform, stdout, unique};
use crate::test_aws::provider_block;

const MOTO: &str = "SKYFORM_MOTO_ENDPOINT";

#[test]
fn aws_iam_role() {
    run("aws_iam_role", MOTO, role);
}

#[test]
fn aws_iam_policy() {
    run("aws_iam_policy", MOTO, policy);
}

#[test]
fn aws_iam_role_policy() {
    run("aws_iam_role_policy", MOTO, role_policy);
}

#[test]
fn aws_iam_role_policy_attachment() {
    run("aws_iam_role_policy_attachment", MOTO, attachment);
}

#[test]
fn aws_iam_instance_profile() {
    run("aws_iam_instance_profile", MOTO, instance_profile);
}

#[test]
fn aws_iam_user() {
    run("aws_iam_user", MOTO, user);
}

/// Without `endpoints { iam, sts }`, IAM and STS are found as the SDK finds them:
/// `AWS_ENDPOINT_URL_IAM`, `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`.
#[test]
fn iam_and_sts_endpoints_from_the_environment() {
    let Some(endpoint) = emulator(MOTO) else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let user = unique("envuser");
    let config = format!(
        "{}\ndata \"aws_caller_identity\" \"me\" {{}}\n\nresource \"aws_iam_user\" \"u\" {{\n  name = \"{user}\"\n}}\n\noutput \"account\" {{\n  value = data.aws_caller_identity.me.account_id\n}}\n",
        provider_block(&endpoint)
    );
    std::fs::write(d.join("main.tf"), config).unwrap();
    let run = |args: &[&str], by_service: bool| {
        let mut cmd = skyform(d);
        if by_service {
            cmd.env("AWS_ENDPOINT_URL_IAM", &endpoint).env("AWS_ENDPOINT_URL_STS", &endpoint);
        } else {
            cmd.env("AWS_ENDPOINT_URL", &endpoint);
        }
        let out = cmd.args(args).output().unwrap();
        assert!(out.status.success(), "skyform {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        stdout(&out)
    };
    assert!(run(&["apply", "-auto-approve", "-no-color"], true).contains("account = \"123456789012\""));
    assert!(iam(&endpoint, async |c| c.get_user().user_name(&user).send().await.is_ok()), "the user is created through AWS_ENDPOINT_URL_IAM");
    run(&["destroy", "-auto-approve", "-no-color"], false);
    assert!(!iam(&endpoint, async |c| c.get_user().user_name(&user).send().await.is_ok()), "the user is deleted through AWS_ENDPOINT_URL");
}

/// The provider block with IAM and STS at the emulator too.
fn iam_provider(endpoint: &str) -> String {
    provider_block(endpoint).replace("    s3 = ", &format!("    iam = \"{endpoint}\"\n    sts = \"{endpoint}\"\n    s3 = "))
}

/// Runs `f` with an IAM client on a fresh runtime.
fn iam<T>(endpoint: &str, f: impl AsyncFnOnce(aws_sdk_iam::Client) -> T) -> T {
    let conf = aws_sdk_iam::config::Builder::new()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_iam::config::Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(endpoint)
        .build();
    rt().block_on(async { f(aws_sdk_iam::Client::from_conf(conf)).await })
}

fn role_exists(e: &str, name: &str) -> bool {
    iam(e, async |c| c.get_role().role_name(name).send().await.is_ok())
}

fn role_block(name: &str, extra: &str) -> String {
    format!(
        "resource \"aws_iam_role\" \"{name}\" {{\n  name               = \"{}\"\n  assume_role_policy = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = {{ Service = \"ec2.amazonaws.com\" }} }}] }})\n{extra}}}\n",
        unique_for(name)
    )
}

/// One unique name per label for the whole test process (a case's configurations agree).
fn unique_for(label: &str) -> String {
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<std::collections::HashMap<String, String>>> = OnceLock::new();
    let mut names = NAMES.get_or_init(Default::default).lock().unwrap();
    names.entry(label.to_string()).or_insert_with(|| unique(label)).clone()
}

fn role(endpoint: &str, _dir: &Path) -> Case {
    let (name, renamed) = (unique("role"), unique("role2"));
    // The same trust policy as the data source writes it, reordered and reformatted.
    let equivalent = "<<EOF\n{\"Statement\": [{\"Principal\": {\"Service\": [\"ec2.amazonaws.com\"]}, \"Action\": \"sts:AssumeRole\", \"Effect\": \"Allow\"}],\n \"Version\": \"2012-10-17\"}\nEOF";
    let config = |name: &str, description: &str, trust: &str| {
        format!(
            r#"{}
data "aws_caller_identity" "current" {{}}
data "aws_region" "current" {{}}
data "aws_partition" "current" {{}}

data "aws_iam_policy_document" "assume" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["ec2.${{data.aws_partition.current.dns_suffix}}"]
    }}
  }}
}}

resource "aws_iam_role" "r" {{
  name               = "{name}"
  description        = "{description}"
  assume_role_policy = {trust}
  tags = {{
    account = data.aws_caller_identity.current.account_id
    region  = data.aws_region.current.region
  }}
}}
"#,
            iam_provider(endpoint)
        )
    };
    let described = |e: &str, n: &str| iam(e, async |c| c.get_role().role_name(n).send().await.ok()?.role);
    let description_is = |want: &'static str| {
        move |s: &State, e: &str| {
            let r = described(e, &attr(s, "aws_iam_role.r", "name")).expect("the role exists");
            assert_eq!(r.description(), Some(want));
            let tags: Vec<(&str, &str)> = r.tags().iter().map(|t| (t.key(), t.value())).collect();
            assert!(tags.contains(&("account", "123456789012")) && tags.contains(&("region", "eu-west-1")), "tags from the data sources: {tags:?}");
        }
    };
    let doc = "data.aws_iam_policy_document.assume.json";
    let old = name.clone();
    Case {
        create: Step::new(config(&name, "v1", doc), &[("aws_iam_role.r", Create)]).check(description_is("v1")),
        // An equivalent trust policy is no change: the state keeps the document it had.
        update: Step::new(config(&name, "v2", equivalent), &[("aws_iam_role.r", Update)]).hides("assume_role_policy").check(description_is("v2")).check(
            |s, _| {
                assert!(attr(s, "aws_iam_role.r", "assume_role_policy").starts_with("{\n  \"Version\""), "the state keeps the data source's document");
            },
        ),
        replace: Step::new(config(&renamed, "v2", equivalent), &[("aws_iam_role.r", DeleteThenCreate)]).check(move |s, e| {
            assert!(role_exists(e, &attr(s, "aws_iam_role.r", "name")) && !role_exists(e, &old), "the role must be replaced");
        }),
        // Description edited outside; the trust policy rewritten in an equivalent form is no drift.
        drift: Some(
            Step::new(config(&renamed, "v2", equivalent), &[("aws_iam_role.r", Update)])
                .outside(|s, e| {
                    let n = attr(s, "aws_iam_role.r", "name");
                    let doc =
                        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole"]}}"#;
                    iam(e, async |c| {
                        c.update_role_description().role_name(&n).description("changed").send().await.unwrap();
                        c.update_assume_role_policy().role_name(&n).policy_document(doc).send().await.unwrap();
                    });
                })
                .shows("\"changed\" -> \"v2\"")
                .hides("assume_role_policy")
                .check(description_is("v2")),
        ),
        import: Import { address: "aws_iam_role.r", id: Box::new(|s, _| attr(s, "aws_iam_role.r", "name")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| role_exists(e, &attr(s, "aws_iam_role.r", "name"))),
    }
}

/// The default version's document of a policy, URL-decoded.
fn policy_document(e: &str, arn: &str) -> Option<String> {
    iam(e, async |c| {
        let p = c.get_policy().policy_arn(arn).send().await.ok()?.policy?;
        let v = c.get_policy_version().policy_arn(arn).version_id(p.default_version_id()?).send().await.ok()?.policy_version?;
        Some(percent_encoding::percent_decode_str(v.document()?).decode_utf8_lossy().into_owned())
    })
}

fn policy(endpoint: &str, _dir: &Path) -> Case {
    let name = unique("policy");
    let config = move |description: &str, action: &str| {
        format!(
            "{}\nresource \"aws_iam_policy\" \"p\" {{\n  name        = \"{name}\"\n  description = \"{description}\"\n  policy = jsonencode({{\n    Version   = \"2012-10-17\"\n    Statement = [{{ Effect = \"Allow\", Action = [\"{action}\"], Resource = \"*\" }}]\n  }})\n  tags = {{ env = \"dev\" }}\n}}\n",
            iam_provider(endpoint)
        )
    };
    let allows = |action: &'static str| {
        move |s: &State, e: &str| {
            let doc = policy_document(e, &attr(s, "aws_iam_policy.p", "arn")).expect("the policy exists");
            assert!(doc.contains(action), "{doc}");
        }
    };
    let first_arn = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let (remember, first) = (first_arn.clone(), first_arn);
    Case {
        create: Step::new(config("d1", "s3:GetObject"), &[("aws_iam_policy.p", Create)]).check(allows("s3:GetObject")).check(move |s, e| {
            *remember.borrow_mut() = attr(s, "aws_iam_policy.p", "arn");
            let tags = iam(e, async |c| c.list_policy_tags().policy_arn(attr(s, "aws_iam_policy.p", "arn")).send().await.unwrap());
            assert_eq!(tags.tags().len(), 2, "env and the default tag");
        }),
        // A new document is a new default version.
        update: Step::new(config("d1", "s3:PutObject"), &[("aws_iam_policy.p", Update)]).check(allows("s3:PutObject")),
        // A new description replaces the policy.
        replace: Step::new(config("d2", "s3:PutObject"), &[("aws_iam_policy.p", DeleteThenCreate)]).check(allows("s3:PutObject")).check(move |s, e| {
            assert_eq!(attr(s, "aws_iam_policy.p", "arn"), *first.borrow(), "same name, same ARN");
            let d = iam(e, async |c| c.get_policy().policy_arn(attr(s, "aws_iam_policy.p", "arn")).send().await.unwrap().policy.unwrap());
            assert_eq!(d.description(), Some("d2"));
        }),
        // A new default version made outside skyform.
        drift: Some(
            Step::new(config("d2", "s3:PutObject"), &[("aws_iam_policy.p", Update)])
                .outside(|s, e| {
                    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}"#;
                    iam(e, async |c| {
                        c.create_policy_version().policy_arn(attr(s, "aws_iam_policy.p", "arn")).policy_document(doc).set_as_default(true).send().await.unwrap()
                    });
                })
                .shows("ec2:*")
                .check(allows("s3:PutObject")),
        ),
        import: Import { address: "aws_iam_policy.p", id: Box::new(|s, _| attr(s, "aws_iam_policy.p", "arn")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| policy_document(e, &attr(s, "aws_iam_policy.p", "arn")).is_some()),
    }
}

fn role_policy_doc(e: &str, role: &str, name: &str) -> Option<String> {
    let doc = iam(e, async |c| c.get_role_policy().role_name(role).policy_name(name).send().await.ok())?.policy_document;
    Some(percent_encoding::percent_decode_str(&doc).decode_utf8_lossy().into_owned())
}

fn role_policy(endpoint: &str, _dir: &Path) -> Case {
    const RP: &str = "aws_iam_role_policy.p";
    let config = |name: &str, action: &str| {
        format!(
            "{}\n{}\nresource \"aws_iam_role_policy\" \"p\" {{\n  name   = \"{name}\"\n  role   = aws_iam_role.rp.id\n  policy = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Allow\", Action = \"{action}\", Resource = \"*\" }}] }})\n}}\n",
            iam_provider(endpoint),
            role_block("rp", "")
        )
    };
    let allows = |action: &'static str| {
        move |s: &State, e: &str| {
            let doc = role_policy_doc(e, &attr(s, RP, "role"), &attr(s, RP, "name")).expect("the inline policy exists");
            assert!(doc.contains(action), "{doc}");
        }
    };
    Case {
        create: Step::new(config("inline", "s3:GetObject"), &[("aws_iam_role.rp", Create), (RP, Create)]).check(allows("s3:GetObject")).check(|s, _| {
            assert_eq!(attr(s, RP, "id"), format!("{}:inline", attr(s, "aws_iam_role.rp", "name")));
        }),
        update: Step::new(config("inline", "s3:PutObject"), &[(RP, Update)]).check(allows("s3:PutObject")),
        replace: Step::new(config("inline2", "s3:PutObject"), &[(RP, DeleteThenCreate)]).check(allows("s3:PutObject")).check(|s, e| {
            assert!(role_policy_doc(e, &attr(s, RP, "role"), "inline").is_none(), "the old inline policy is deleted");
        }),
        // Deleted outside skyform: put again.
        drift: Some(
            Step::new(config("inline2", "s3:PutObject"), &[(RP, Create)])
                .outside(|s, e| {
                    iam(e, async |c| c.delete_role_policy().role_name(attr(s, RP, "role")).policy_name("inline2").send().await.unwrap());
                })
                .check(allows("s3:PutObject")),
        ),
        import: Import { address: RP, id: Box::new(|s, _| attr(s, RP, "id")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| role_policy_doc(e, &attr(s, RP, "role"), &attr(s, RP, "name")).is_some()),
    }
}

fn attached(e: &str, role: &str) -> Vec<String> {
    let out = iam(e, async |c| c.list_attached_role_policies().role_name(role).send().await.ok());
    out.map(|o| o.attached_policies().iter().filter_map(|p| p.policy_arn().map(str::to_string)).collect()).unwrap_or_default()
}

fn attachment(endpoint: &str, _dir: &Path) -> Case {
    const AT: &str = "aws_iam_role_policy_attachment.a";
    let config = |description: &str, which: &str| {
        let policy = |n: &str| {
            format!(
                "resource \"aws_iam_policy\" \"{n}\" {{\n  name   = \"{}\"\n  policy = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = \"*\" }}] }})\n}}\n",
                unique_for(&format!("attach-{n}"))
            )
        };
        format!(
            "{}\n{}\n{}\n{}\nresource \"aws_iam_role_policy_attachment\" \"a\" {{\n  role       = aws_iam_role.at.name\n  policy_arn = aws_iam_policy.{which}.arn\n}}\n",
            iam_provider(endpoint),
            role_block("at", &format!("  description        = \"{description}\"\n")),
            policy("one"),
            policy("two")
        )
    };
    let attached_is = |which: &'static str| {
        move |s: &State, e: &str| assert_eq!(attached(e, &attr(s, "aws_iam_role.at", "name")), vec![attr(s, &format!("aws_iam_policy.{which}"), "arn")])
    };
    let all = [("aws_iam_role.at", Create), ("aws_iam_policy.one", Create), ("aws_iam_policy.two", Create), (AT, Create)];
    Case {
        create: Step::new(config("v1", "one"), &all).check(attached_is("one")).check(|s, _| {
            assert!(attr(s, AT, "id").starts_with(&format!("{}-", attr(s, "aws_iam_role.at", "name"))), "a unique id from the role name");
        }),
        // An attachment has nothing to update: its role does.
        update: Step::new(config("v2", "one"), &[("aws_iam_role.at", Update)]).check(attached_is("one")),
        replace: Step::new(config("v2", "two"), &[(AT, DeleteThenCreate)]).check(attached_is("two")),
        drift: Some(
            Step::new(config("v2", "two"), &[(AT, Create)])
                .outside(|s, e| {
                    iam(e, async |c| c.detach_role_policy().role_name(attr(s, AT, "role")).policy_arn(attr(s, AT, "policy_arn")).send().await.unwrap());
                })
                .check(attached_is("two")),
        ),
        import: Import { address: AT, id: Box::new(|s, _| format!("{}/{}", attr(s, AT, "role"), attr(s, AT, "policy_arn"))), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| attached(e, &attr(s, AT, "role")).contains(&attr(s, AT, "policy_arn"))),
    }
}

fn profile(e: &str, name: &str) -> Option<aws_sdk_iam::types::InstanceProfile> {
    iam(e, async |c| c.get_instance_profile().instance_profile_name(name).send().await.ok()?.instance_profile)
}

fn instance_profile(endpoint: &str, _dir: &Path) -> Case {
    const IP: &str = "aws_iam_instance_profile.ip";
    let name = unique("profile");
    let config = move |role: &str, path: &str| {
        format!(
            "{}\n{}\n{}\nresource \"aws_iam_instance_profile\" \"ip\" {{\n  name = \"{name}\"\n  path = \"{path}\"\n  role = aws_iam_role.{role}.name\n  tags = {{ env = \"dev\" }}\n}}\n",
            iam_provider(endpoint),
            role_block("first", ""),
            role_block("second", "")
        )
    };
    let role_is = |which: &'static str, path: &'static str| {
        move |s: &State, e: &str| {
            let ip = profile(e, &attr(s, IP, "name")).expect("the profile exists");
            let roles: Vec<&str> = ip.roles().iter().map(|r| r.role_name()).collect();
            assert_eq!((roles, ip.path()), (vec![attr(s, &format!("aws_iam_role.{which}"), "name").as_str()], path));
        }
    };
    Case {
        create: Step::new(config("first", "/"), &[("aws_iam_role.first", Create), ("aws_iam_role.second", Create), (IP, Create)]).check(role_is("first", "/")),
        update: Step::new(config("second", "/"), &[(IP, Update)]).check(role_is("second", "/")),
        replace: Step::new(config("second", "/app/"), &[(IP, DeleteThenCreate)]).check(role_is("second", "/app/")),
        // The role removed outside skyform: added again.
        drift: Some(
            Step::new(config("second", "/app/"), &[(IP, Update)])
                .outside(|s, e| {
                    iam(e, async |c| {
                        c.remove_role_from_instance_profile().instance_profile_name(attr(s, IP, "name")).role_name(attr(s, IP, "role")).send().await.unwrap()
                    });
                })
                .check(role_is("second", "/app/")),
        ),
        import: Import { address: IP, id: Box::new(|s, _| attr(s, IP, "name")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| profile(e, &attr(s, IP, "name")).is_some()),
    }
}

fn user_exists(e: &str, name: &str) -> bool {
    iam(e, async |c| c.get_user().user_name(name).send().await.is_ok())
}

fn user(endpoint: &str, _dir: &Path) -> Case {
    const U: &str = "aws_iam_user.u";
    let (name, renamed) = (unique("user"), unique("user2"));
    // No tags (default tags removed too): moto 5.2 drops a user's tags when UpdateUser renames it.
    let provider = iam_provider(endpoint).replace("  default_tags {\n    tags = { managed = \"skyform\" }\n  }\n", "");
    let config = move |name: &str, generation: u32, path: &str| {
        format!(
            "{provider}\nresource \"terraform_data\" \"generation\" {{\n  triggers_replace = {generation}\n}}\n\nresource \"aws_iam_user\" \"u\" {{\n  name          = \"{name}\"\n  path          = \"{path}\"\n  force_destroy = true\n  lifecycle {{\n    replace_triggered_by = [terraform_data.generation]\n  }}\n}}\n"
        )
    };
    let old = name.clone();
    Case {
        create: Step::new(config(&name, 1, "/"), &[("terraform_data.generation", Create), (U, Create)])
            .check(|s, e| assert!(user_exists(e, &attr(s, U, "name")))),
        // A new name is an in-place rename, as in the provider.
        update: Step::new(config(&renamed, 1, "/"), &[(U, Update)]).check(move |s, e| {
            assert!(user_exists(e, &attr(s, U, "name")) && !user_exists(e, &old), "the user must be renamed");
            assert_eq!(attr(s, U, "id"), attr(s, U, "name"));
        }),
        // No argument forces a new user: replace_triggered_by does.
        replace: Step::new(config(&renamed, 2, "/"), &[("terraform_data.generation", DeleteThenCreate), (U, DeleteThenCreate)])
            .check(|s, e| assert!(user_exists(e, &attr(s, U, "name")))),
        // The path changed outside, and an access key only force_destroy lets the destroy remove.
        drift: Some(
            Step::new(config(&renamed, 2, "/"), &[(U, Update)])
                .outside(|s, e| {
                    let n = attr(s, U, "name");
                    iam(e, async |c| {
                        c.update_user().user_name(&n).new_path("/moved/").send().await.unwrap();
                        c.create_access_key().user_name(&n).send().await.unwrap();
                    });
                })
                .shows("\"/moved/\" -> \"/\"")
                .check(|s, e| {
                    let u = iam(e, async |c| c.get_user().user_name(attr(s, U, "name")).send().await.unwrap().user.unwrap());
                    assert_eq!(u.path(), "/");
                }),
        ),
        // As in Terraform, an import cannot know force_destroy (false until applied).
        import: Import {
            address: U,
            id: Box::new(|s, _| attr(s, U, "name")),
            differs: vec!["force_destroy"],
            shows: vec!["~ force_destroy = false -> true".into()],
        },
        exists: Box::new(|s, e| user_exists(e, &attr(s, U, "name"))),
    }
}
