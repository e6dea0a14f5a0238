//! Cheap fuzzing of the parser and the evaluator: thousands of random and mutated inputs must
//! produce a value or a diagnostic, never a panic. Deterministic (seeded) so failures reproduce.

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
        let mut m = bytes.to_vec();
        for _ in 0..(1 + r.next() % 4) {
            let pos = (r.next() % m.len() as u64) as usize;
            match r.next() % 3 {
                0 => m[pos] = noise[(r.next() % noise.len() as u64) as usize],
                1 => {
                    m.remove(pos);
                }
                _ => m.insert(pos, noise[(r.next() % noise.len() as u64) as usize]),
            }
        }
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
