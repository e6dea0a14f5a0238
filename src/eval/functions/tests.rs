//! Function results checked against Terraform 1.15's `output -json` for the same expressions.

use super::*;

fn eval(src: &str) -> Value {
    let body: hcl::Body = hcl::from_str(&format!("v = {src}")).unwrap();
    let expr = body.attributes().next().unwrap().expr().clone();
    crate::eval::eval_literal(&expr).unwrap_or_else(|e| panic!("{src}: {e}"))
}

#[test]
fn matches_terraform() {
    // (expression, Terraform 1.15's JSON result)
    let cases: &[(&str, &str)] = &[
        (r#"format("%s-%03d-%.2f-%q", "a", 7, 3.14159, "x")"#, r#""a-007-3.14-\"x\"""#),
        (r#"formatlist("%s=%d", ["a", "b"], [1, 2])"#, r#"["a=1","b=2"]"#),
        (r#"join("-", ["a", "b"], ["c"])"#, r#""a-b-c""#),
        (r#"split(",", "a,b,,c")"#, r#"["a","b","","c"]"#),
        (r#"title("hello world-foo")"#, r#""Hello World-Foo""#),
        (r#"replace("a-b-c", "/-(.)/", "_$1")"#, r#""a_b_c""#),
        (r#"regex("(\\d+)-(\\d+)", "10-20")"#, r#"["10","20"]"#),
        (r#"regex("(?P<a>\\w+)@(?P<b>\\w+)", "me@host")"#, r#"{"a":"me","b":"host"}"#),
        (r#"regexall("[a-z]+", "ab 12 cd")"#, r#"["ab","cd"]"#),
        (r#"substr("hello world", 1, 4)"#, r#""ello""#),
        (r#"substr("hello", -3, -1)"#, r#""llo""#),
        (r#"trim("?!hello?!", "!?")"#, r#""hello""#),
        (r#"chomp("hello\n\n")"#, r#""hello""#),
        (r#"indent(2, "a\nb\n")"#, r#""a\n  b\n  ""#),
        (r#"length({a = 1, b = 2})"#, "2"),
        (r#"merge({a = 1}, {b = 2}, {a = 3})"#, r#"{"a":3,"b":2}"#),
        (r#"lookup({a = 1}, "b", "d")"#, r#""d""#),
        (r#"element(["a", "b"], 3)"#, r#""b""#),
        (r#"distinct(["a", "b", "a"])"#, r#"["a","b"]"#),
        (r#"flatten([[1, [2]], 3])"#, "[1,2,3]"),
        (r#"sort(["b", "a", "10", "9"])"#, r#"["10","9","a","b"]"#),
        (r#"range(1, 10, 3)"#, "[1,4,7]"),
        (r#"zipmap(["a", "b"], [1, 2])"#, r#"{"a":1,"b":2}"#),
        (r#"coalesce("", "b")"#, r#""b""#),
        (r#"compact(["a", "", "b"])"#, r#"["a","b"]"#),
        (r#"setproduct(["a", "b"], [1])"#, r#"[["a",1],["b",1]]"#),
        (r#"transpose({a = ["1", "2"], b = ["2"]})"#, r#"{"1":["a"],"2":["a","b"]}"#),
        (r#"chunklist([1, 2, 3], 2)"#, "[[1,2],[3]]"),
        (r#"jsonencode({b = [1, "<x>"], a = true})"#, r#""{\"a\":true,\"b\":[1,\"\\u003cx\\u003e\"]}""#),
        (r#"yamlencode({a = 1, b = ["x", "y"], c = {d = "e"}})"#, r#""\"a\": 1\n\"b\":\n- \"x\"\n- \"y\"\n\"c\":\n  \"d\": \"e\"\n""#),
        (r#"base64encode("hello")"#, r#""aGVsbG8=""#),
        (r#"urlencode("a b&c")"#, r#""a+b%26c""#),
        (r#"md5("hello")"#, r#""5d41402abc4b2a76b9719d911017c592""#),
        (r#"base64sha256("hello")"#, r#""LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=""#),
        (r#"parseint("ff", 16)"#, "255"),
        (r#"log(8, 2)"#, "3"),
        (r#"formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z")"#, r#""02 Jan 2018 23:12 UTC""#),
        (r#"timeadd("2017-11-22T00:00:00Z", "10m")"#, r#""2017-11-22T00:10:00Z""#),
        (r#"cidrsubnet("10.1.0.0/16", 8, 2)"#, r#""10.1.2.0/24""#),
        (r#"cidrhost("10.12.112.0/20", 16)"#, r#""10.12.112.16""#),
        (r#"cidrnetmask("172.16.0.0/12")"#, r#""255.240.0.0""#),
        (r#"tolist(toset(["b", "a", "b"]))"#, r#"["a","b"]"#),
        (r#"tostring(5)"#, r#""5""#),
        (r#"basename("foo/bar/baz.txt")"#, r#""baz.txt""#),
        (r#"dirname("foo/bar/baz.txt")"#, r#""foo/bar""#),
        // Grapheme clusters and Go's simple case mapping.
        (r#"length("👍🏽🇩🇪a\r\n")"#, "4"),
        (r#"strrev("👍🏽a")"#, r#""a👍🏽""#),
        (r#"substr("👍🏽ab", 1, 1)"#, r#""a""#),
        (r#"substr("hello", -6, 1)"#, r#""h""#),
        (r#"[upper("straße"), lower("ΑΣ"), title("o'neil mc_donald"), title("ǆemal")]"#, r#"["STRAßE","ασ","O'Neil Mc_donald","ǅemal"]"#),
        // Go's fmt and big.Float rules in format.
        (
            r#"format("%-5s|%05s|%.3d|%#x|%+x|%g|%.3g|%E|%v|%b", "👍🏽", "ab", 7, 255, 255, 1e6, 1234.5, 0.000123, 1234567, -5)"#,
            r#""👍🏽    |000ab|007|0xff|+ff|1e+06|1.23e+03|1.230000E-04|1.234567e+06|-101""#,
        ),
        (r#"format("%d", 1e20)"#, r#""100000000000000000000""#),
        (r#"element(["a", "b", "c"], -4)"#, r#""c""#),
        (r#"[distinct([1, "1"]), compact([1, "", 2]), coalesce(1, "x")]"#, r#"[["1"],["1","2"],"1"]"#),
        (r#"regex("\\d+", "x１２3")"#, r#""3""#),
        (r#"jsonencode(["\u2028", 1e21])"#, r#""[\"\\u2028\",1000000000000000000000]""#),
        (r#"yamlencode([["a\nb"], true])"#, r#""- - |-\n    a\n    b\n- true\n""#),
        (r#"yamlencode(1)"#, r#""1\n...\n""#),
        (r#"csvdecode("a,b\n\"x,\"\"y\",2\r\n")"#, r#"[{"a":"x,\"y","b":"2"}]"#),
        (r#"uuidv5("dns", "www.terraform.io")"#, r#""a5008fae-b28c-5ba5-96cd-82b4c53552d6""#),
        (r#"[textencodebase64("hé", "UTF-16"), textdecodebase64("gA==", "windows-1252")]"#, r#"["/v8AaADp","€"]"#),
        (r#"[timecmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00+01:00"), formatdate("ZZZZZ 'it''s'", "2006-01-02T15:04:05Z")]"#, r#"[0,"+00:00 it's"]"#),
        (r#"[dirname("a/./b/../c"), pathexpand("/x/~")]"#, r#"["a","/x/~"]"#),
        (r#"provider::terraform::encode_expr({ a = "x", bb = [1, { c = "$${y}" }] })"#, r#""{\n  a = \"x\"\n  bb = [1, {\n    c = \"$${y}\"\n  }]\n}""#),
    ];
    for (src, want) in cases {
        let got = serde_json::to_string(&eval(src).to_json()).unwrap();
        let want: serde_json::Value = serde_json::from_str(want).unwrap();
        assert_eq!(got, serde_json::to_string(&want).unwrap(), "{src}");
    }
}

#[test]
fn unknowns_and_marks() {
    let ctx = FuncContext { base_dir: ".".into() };
    assert_eq!(call("upper", vec![Value::Unknown], &ctx).unwrap(), Value::Unknown);
    assert_eq!(call("length", vec![Value::List(vec![Value::Unknown, Value::Null])], &ctx).unwrap(), Value::Number(2.0));
    assert!(call("upper", vec![Value::string("x").mark()], &ctx).unwrap().is_sensitive());
    assert!(matches!(call("nope", vec![], &ctx), Err(FuncError::Unknown(_))));
    assert!(call("element", vec![Value::List(vec![]), Value::Number(0.0)], &ctx).is_err());
    assert!(call("issensitive", vec![Value::List(vec![Value::string("x").mark()])], &ctx).unwrap() == Value::Bool(false));
    assert_eq!(call("ephemeralasnull", vec![Value::Unknown], &ctx).unwrap(), Value::Unknown);
}
