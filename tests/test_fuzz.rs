//! Cheap fuzzing of the parser, the evaluator, validation and diagnostic rendering: thousands of
//! random and mutated inputs must produce a value or a located diagnostic, never a panic; inputs
//! that once crashed are kept as regressions. Deterministic (seeded) so failures reproduce, and
//! run on every CI run.

use skyform::eval::eval_literal;
use skyform::syntax::parse_file;

/// A small deterministic PRNG (xorshift), so the test needs no extra crate and is repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// `seed` with 1 to `max_edits` random edits: a byte replaced by, or inserted from, `noise`,
    /// or a byte removed.
    fn mutate(&mut self, seed: &[u8], noise: &[u8], max_edits: u64) -> Vec<u8> {
        let mut m = seed.to_vec();
        for _ in 0..(1 + self.next() % max_edits) {
            let pos = (self.next() % m.len() as u64) as usize;
            match self.next() % 3 {
                0 => m[pos] = noise[(self.next() % noise.len() as u64) as usize],
                1 => {
                    m.remove(pos);
                }
                _ => m.insert(pos, noise[(self.next() % noise.len() as u64) as usize]),
            }
        }
        m
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const ATOMS: &[&str] = &[
    "1",
    "0",
    "-3",
    "2.5",
    "1e308",
    "\"s\"",
    "\"${1+1}\"",
    "\"%{if true}x%{endif}\"",
    "true",
    "null",
    "[]",
    "{}",
    "[1, \"a\", null]",
    "{a = 1, \"b\" = [2]}",
    "upper(\"x\")",
    "length([1,2])",
    "jsondecode(\"{\\\"a\\\":1}\")",
    "substr(\"hello\", 1, 99)",
    "element([], 0)",
    "cidrsubnet(\"10.0.0.0/8\", 8, 2)",
    "format(\"%d\", \"x\")",
    "try(1/0, 2)",
    "can(regex(\"(\", \"x\"))",
    "range(3)",
    "tolist(toset([\"b\",\"a\"]))",
    "[for x in [1,2] : x * 2]",
    "{for k, v in {a=1} : v => k}",
    "[1,2][*]",
    "1/0",
    "5 % 0",
    "\"a\" + 1",
    "!1",
    "-\"x\"",
    "x.y",
    "[1][5]",
    "{a=1}.b",
    "null.x",
    "flatten([[1],[[2]]])",
    "regexall(\"[a-z]+\", \"ab cd\")",
    "sum([])",
    "pow(2, 1024)",
    "parseint(\"zz\", 36)",
    "yamldecode(\"a: [1, 2]\")",
    "base64decode(\"!!\")",
];
const OPS: &[&str] = &[" + ", " - ", " * ", " / ", " % ", " == ", " != ", " < ", " >= ", " && ", " || "];

fn expr(r: &mut Rng, depth: u32) -> String {
    if depth == 0 {
        return r.pick(ATOMS).to_string();
    }
    match r.next() % 6 {
        0 => format!("{}{}{}", expr(r, depth - 1), r.pick(OPS), expr(r, depth - 1)),
        1 => format!("({} ? {} : {})", expr(r, depth - 1), expr(r, depth - 1), expr(r, depth - 1)),
        2 => format!("[{}, {}]", expr(r, depth - 1), expr(r, depth - 1)),
        3 => format!("{{k = {}}}", expr(r, depth - 1)),
        4 => format!("\"pre-${{{}}}-post\"", expr(r, depth - 1)),
        _ => r.pick(ATOMS).to_string(),
    }
}

#[test]
fn random_expressions_never_panic() {
    let mut r = Rng(0x5eed_1234_abcd_0001);
    for _ in 0..3000 {
        let src = format!("v = {}\n", expr(&mut r, 3));
        if let Ok(body) = parse_file("fuzz.tf", &src) {
            for a in &body.attributes {
                let _ = eval_literal(&a.expr);
            }
        }
    }
}

#[test]
fn mutated_configs_never_panic() {
    let seed = "resource \"terraform_data\" \"x\" {\n  input = { a = [1, 2], b = \"${upper(\"q\")}\" }\n  lifecycle {\n    ignore_changes = [input]\n  }\n}\nvariable \"v\" {\n  type = map(object({ n = optional(number, 1) }))\n}\n";
    let bytes = seed.as_bytes();
    let mut r = Rng(0xdead_beef_0000_0042);
    let noise = b"{}[]()\"$%=\n\\#*/<>~.";
    for _ in 0..3000 {
        let m = r.mutate(bytes, noise, 4);
        let text = String::from_utf8_lossy(&m);
        if let Ok(body) = parse_file("fuzz.tf", &text) {
            for b in &body.blocks {
                for a in &b.body.attributes {
                    let _ = eval_literal(&a.expr);
                }
            }
        }
    }
}

/// Inputs that once crashed or lost their location, kept as regressions: each must load,
/// validate and render its diagnostics without a panic.
const REGRESSIONS: &[&str] = &[
    // An error located past column 65,535 of a line (the renderer once panicked there).
    "locals {\n  a = \"PAD\" + 1\n}\n",
    // An unknown provider prefix, a near miss of `aws_`.
    "resource \"awz_s3_bucket\" \"b\" {}\n",
    // Unterminated template, heredoc and block.
    "locals {\n  a = \"${\n}\n",
    "locals {\n  a = <<EOT\nno end\n",
    "resource \"terraform_data\" \"x\" {\n",
];

/// The whole front half of the pipeline on mutated configurations: load (parse and decode),
/// validate (graph, references, schemas), and render every diagnostic with its source snippet.
#[test]
fn mutated_configs_load_validate_and_render_without_panic() {
    let seed = "variable \"v\" {\n  type = list(string)\n  default = [\"a\"]\n  validation {\n    condition = length(var.v) > 0\n    error_message = \"empty\"\n  }\n}\nlocals {\n  m = { for i, s in var.v : s => i }\n}\nresource \"terraform_data\" \"x\" {\n  count = length(var.v)\n  input = \"${local.m[var.v[count.index]]}-${upper(\"q\")}\"\n  lifecycle {\n    precondition {\n      condition = count.index >= 0\n      error_message = \"neg\"\n    }\n  }\n}\noutput \"o\" {\n  value = terraform_data.x[*].output\n}\n";
    let registry = skyform::provider::Registry::builtin();
    let rt = crate::common::rt();
    let check = |text: &[u8]| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), text).unwrap();
        let (diags, sources) = match skyform::config::load_config(dir.path()) {
            Ok((config, sources)) => {
                let engine = skyform::engine::Engine::new(&config, &registry, dir.path(), &skyform::engine::NoHook);
                (rt.block_on(engine.validate()), sources)
            }
            Err((diags, sources)) => (diags, sources),
        };
        let text = skyform::view::diagnostics::render_all(&diags, &sources, false);
        // Every error names where it is, or what it is about.
        for d in diags.iter().filter(|d| d.is_error()) {
            assert!(d.range.is_some() || d.address.is_some() || text.contains(".tf"), "an error without a location: {d:?}");
        }
        diags.has_errors()
    };
    for r in REGRESSIONS {
        assert!(check(r.replace("PAD", &"x".repeat(70_000)).as_bytes()), "{r}: expected an error");
    }
    assert!(check(&[b"locals {\n  a = \"", &[0xff, 0xfe][..], b"\"\n}\n"].concat()), "invalid UTF-8 is an error");
    assert!(!check(seed.as_bytes()), "the seed itself is valid");
    let bytes = seed.as_bytes();
    let (mut failed, mut passed) = (0, 0);
    let mut r = Rng(0x0bad_cafe_0000_0007);
    let noise = b"{}[]()\"$%=\n\\#*/<>~.:?!0a";
    for _ in 0..400 {
        let m = r.mutate(bytes, noise, 3);
        if check(&m) {
            failed += 1;
        } else {
            passed += 1;
        }
    }
    // The mutants reach both outcomes: the test exercises validation, not only the parser.
    assert!(failed > 10 && passed > 10, "{failed} failed, {passed} passed");
}
