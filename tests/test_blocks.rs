//! Every block type Terraform 1.15's language accepts in a `.tf` file is either implemented
//! (a configuration using it validates) or refused with an error that names it at its line:
//! nothing is skipped silently. The list below is Terraform's, walked one block at a time.

use crate::common::{skyform, stderr, stdout};

/// How skyform must answer a configuration using a block.
enum Want {
    Implemented,
    /// Refused, with this text in the message, at this line.
    Refused(&'static str, usize),
}

/// Terraform's block types, each in a minimal configuration (the block in question on the
/// line given by `Refused`).
const BLOCKS: &[(&str, &str, Want)] = &[
    ("terraform", "terraform {\n  required_version = \">= 1.0\"\n}\n", Want::Implemented),
    ("terraform.required_providers", "terraform {\n  required_providers {\n    random = { source = \"hashicorp/random\" }\n  }\n}\n", Want::Implemented),
    ("terraform.backend", "terraform {\n  backend \"local\" {}\n}\n", Want::Implemented),
    ("terraform.cloud", "terraform {\n  cloud {\n    organization = \"o\"\n  }\n}\n", Want::Refused("\"cloud\" block", 2)),
    ("variable", "variable \"v\" {\n  default = 1\n}\n", Want::Implemented),
    ("variable.validation", "variable \"v\" {\n  default = 1\n  validation {\n    condition = var.v > 0\n    error_message = \"m\"\n  }\n}\n", Want::Implemented),
    ("locals", "locals {\n  a = 1\n}\n", Want::Implemented),
    ("output", "output \"o\" {\n  value = 1\n}\n", Want::Implemented),
    ("output.precondition", "output \"o\" {\n  value = 1\n  precondition {\n    condition = true\n    error_message = \"m\"\n  }\n}\n", Want::Implemented),
    ("provider", "provider \"random\" {}\n", Want::Implemented),
    ("resource", "resource \"terraform_data\" \"a\" {}\n", Want::Implemented),
    ("resource.lifecycle", "resource \"terraform_data\" \"a\" {\n  lifecycle {\n    create_before_destroy = true\n  }\n}\n", Want::Implemented),
    (
        "resource.lifecycle.precondition",
        "resource \"terraform_data\" \"a\" {\n  lifecycle {\n    precondition {\n      condition = true\n      error_message = \"m\"\n    }\n    postcondition {\n      condition = true\n      error_message = \"m\"\n    }\n  }\n}\n",
        Want::Implemented,
    ),
    (
        "resource.lifecycle.action_trigger",
        "resource \"terraform_data\" \"a\" {\n  lifecycle {\n    action_trigger {\n      events = [after_create]\n    }\n  }\n}\n",
        Want::Refused("\"action_trigger\"", 3),
    ),
    ("resource.provisioner local-exec", "resource \"terraform_data\" \"a\" {\n  provisioner \"local-exec\" {\n    command = \"true\"\n  }\n}\n", Want::Implemented),
    ("resource.provisioner file", "resource \"terraform_data\" \"a\" {\n  provisioner \"file\" {\n    source = \"a\"\n    destination = \"b\"\n  }\n}\n", Want::Refused("\"file\"", 2)),
    ("resource.provisioner remote-exec", "resource \"terraform_data\" \"a\" {\n  provisioner \"remote-exec\" {\n    inline = [\"true\"]\n  }\n}\n", Want::Refused("\"remote-exec\"", 2)),
    ("resource.connection", "resource \"terraform_data\" \"a\" {\n  connection {\n    host = \"h\"\n  }\n}\n", Want::Refused("\"connection\"", 2)),
    (
        "resource.dynamic",
        "resource \"aws_security_group\" \"g\" {\n  dynamic \"ingress\" {\n    for_each = []\n    content {\n      from_port = 1\n      to_port = 1\n      protocol = \"tcp\"\n    }\n  }\n}\n",
        Want::Implemented,
    ),
    ("data", "data \"terraform_remote_state\" \"s\" {\n  backend = \"local\"\n}\n", Want::Implemented),
    ("module", "module \"m\" {\n  source = \"./m\"\n}\n", Want::Implemented),
    ("moved", "resource \"terraform_data\" \"b\" {}\nmoved {\n  from = terraform_data.a\n  to = terraform_data.b\n}\n", Want::Implemented),
    ("removed", "removed {\n  from = terraform_data.a\n  lifecycle {\n    destroy = false\n  }\n}\n", Want::Implemented),
    ("removed.provisioner", "removed {\n  from = terraform_data.a\n  provisioner \"local-exec\" {\n    command = \"true\"\n  }\n}\n", Want::Refused("\"provisioner\" block in a removed block", 3)),
    ("import", "resource \"terraform_data\" \"a\" {}\nimport {\n  to = terraform_data.a\n  id = \"x\"\n}\n", Want::Implemented),
    ("check", "check \"c\" {\n  assert {\n    condition = true\n    error_message = \"m\"\n  }\n}\n", Want::Implemented),
    ("check.data", "check \"c\" {\n  data \"terraform_remote_state\" \"s\" {\n    backend = \"local\"\n  }\n  assert {\n    condition = true\n    error_message = \"m\"\n  }\n}\n", Want::Implemented),
    ("ephemeral", "ephemeral \"random_password\" \"p\" {\n  length = 8\n}\n", Want::Refused("\"ephemeral\" blocks", 1)),
    ("action", "action \"aws_lambda_invoke\" \"x\" {\n  config {\n    function_name = \"f\"\n  }\n}\n", Want::Refused("\"action\" blocks", 1)),
    ("variable ephemeral = true", "variable \"v\" {\n  default = 1\n  ephemeral = true\n}\n", Want::Refused("ephemeral variables", 3)),
];

#[test]
fn every_terraform_block_type_is_implemented_or_refused_by_name() {
    for (name, text, want) in BLOCKS {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), text).unwrap();
        std::fs::create_dir_all(dir.path().join("m")).unwrap();
        std::fs::write(dir.path().join("m/main.tf"), "").unwrap();
        let out = skyform(dir.path()).args(["validate", "-no-color"]).output().unwrap();
        let all = format!("{}{}", stdout(&out), stderr(&out));
        match want {
            Want::Implemented => assert!(out.status.success(), "{name} should validate:\n{all}"),
            Want::Refused(what, line) => {
                assert_eq!(out.status.code(), Some(1), "{name} should be refused:\n{all}");
                assert!(all.contains(what), "{name}: the error should name {what}:\n{all}");
                assert!(all.contains(&format!("main.tf:{line}:")), "{name}: the error should be at line {line}:\n{all}");
            }
        }
    }
}
