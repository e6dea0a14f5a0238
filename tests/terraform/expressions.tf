# Expressions whose results skyform must match Terraform's exactly (tests/test_terraform.rs
# applies this file with both tools and compares `output -json`). One output per expression.

variable "list" {
  default = ["b", "a", "c"]
}

variable "obj" {
  type = object({ name = string, size = optional(number, 3), tags = optional(map(string), {}) })
  default = { name = "x" }
}

variable "nums" {
  type    = list(number)
  default = [3, 1, 2]
}

locals {
  people = [{ name = "ann", age = 31 }, { name = "bob", age = 17 }]
  m      = { a = 1, b = 2, c = 3 }
}

resource "terraform_data" "one" {
  input = { x = "y", n = 2 }
}

resource "terraform_data" "many" {
  count = 3
  input = "item-${count.index}"
}

resource "terraform_data" "each" {
  for_each = toset(["p", "q"])
  input    = upper(each.key)
}

output "op_arith" { value = [1 + 2 * 3, 10 / 4, 7 % 3, -5 + 2, 2 * (3 + 4)] }
output "op_compare" { value = [1 < 2, 2 <= 2, "a" == "a", 1 != 1, 3 > 4, 4 >= 4] }
output "op_logic" { value = [true && false, true || false, !true] }
output "op_cond" { value = var.obj.size > 2 ? "big" : "small" }
output "obj_defaults" { value = var.obj }
output "for_list" { value = [for s in var.list : upper(s) if s != "a"] }
output "for_map" { value = { for k, v in local.m : k => v * 10 if v > 1 } }
output "for_group" { value = { for p in local.people : (p.age >= 18 ? "adult" : "minor") => p.name... } }
output "for_index" { value = [for i, s in var.list : "${i}:${s}"] }
output "splat" { value = local.people[*].name }
output "splat_res" { value = terraform_data.many[*].output }
output "each_res" { value = { for k, r in terraform_data.each : k => r.output } }
output "res_attr" { value = terraform_data.one.output.x }
output "tpl_if" { value = "%{if length(var.list) > 2}many%{else}few%{endif}" }
output "tpl_for" { value = "%{for s in var.list}[${s}]%{endfor}" }
output "tpl_strip" { value = "a %{~if true~} b %{~endif~} c" }
output "heredoc" {
  value = <<-EOT
    hello ${var.obj.name}
      indented
    EOT
}
output "index_access" { value = [var.list[1], local.m["b"], local.people[0]["name"]] }
output "num_format" { value = [1.5, 1e3, 0.1 + 0.2, 1 / 3, 2 / 3, 0.1 * 3, 1000000000000000] }
output "fn_format" { value = format("%s-%03d-%.2f-%q-%5s|%-5s|%t-%x-%o-%e", "a", 7, 3.14159, "x", "r", "l", true, 255, 8, 1234.5) }
output "fn_formatlist" { value = formatlist("%s=%d", ["a", "b"], [1, 2]) }
output "fn_join" { value = join("-", ["a", "b"], ["c"]) }
output "fn_split" { value = split(",", "a,b,,c") }
output "fn_case" { value = [lower("AbC"), upper("aBc"), title("hello world-foo")] }
output "fn_replace" { value = [replace("a-b-c", "-", "+"), replace("a-b-c", "/-(.)/", "_$1")] }
output "fn_regex" { value = [regex("(\\d+)-(\\d+)", "10-20"), regex("[a-z]+", "12abc34")] }
output "fn_regex_named" { value = regex("(?P<a>\\w+)@(?P<b>\\w+)", "me@host") }
output "fn_regexall" { value = regexall("[a-z]+", "ab 12 cd") }
output "fn_substr" { value = [substr("hello world", 1, 4), substr("hello", -3, -1), substr("héllo", 0, 2)] }
output "fn_trim" { value = [trim("?!hello?!", "!?"), trimspace("  x \n"), trimprefix("helloworld", "hello"), trimsuffix("helloworld", "world")] }
output "fn_chomp" { value = [chomp("hello\n\n"), chomp("x\r\n")] }
output "fn_indent" { value = indent(2, "a\nb\n") }
output "fn_affix" { value = [startswith("hello", "he"), endswith("hello", "lo"), strcontains("hello", "ell"), strcontains("a", "b")] }
output "fn_strrev" { value = [strrev("abc"), length("héllo")] }
output "fn_length" { value = [length([1, 2]), length({ a = 1, b = 2 }), length("abc")] }
output "fn_concat" { value = concat(["a"], ["b", "c"], []) }
output "fn_merge" { value = merge({ a = 1 }, { b = 2 }, { a = 3 }) }
output "fn_lookup" { value = [lookup({ a = 1 }, "b", "d"), lookup(local.m, "c", 0)] }
output "fn_keys_values" { value = [keys({ b = 1, a = 2 }), values({ b = 1, a = 2 })] }
output "fn_element" { value = [element(["a", "b"], 3), element(["a", "b"], 0)] }
output "fn_index" { value = index(["a", "b", "c"], "b") }
output "fn_contains" { value = [contains(["a", "b"], "b"), contains([1, 2], 3)] }
output "fn_distinct" { value = distinct(["a", "b", "a", "c", "b"]) }
output "fn_flatten" { value = flatten([[1, [2]], 3, []]) }
output "fn_slice" { value = slice(["a", "b", "c", "d"], 1, 3) }
output "fn_sort" { value = sort(["b", "a", "10", "9"]) }
output "fn_reverse" { value = reverse([1, 2, 3]) }
output "fn_range" { value = [range(3), range(1, 4), range(1, 10, 3), range(5, 1, -2)] }
output "fn_zipmap" { value = zipmap(["a", "b"], [1, 2]) }
output "fn_coalesce" { value = [coalesce("", "b"), coalesce(null, 2), coalesce("a", "b")] }
output "fn_coalescelist" { value = coalescelist([], ["x"], ["y"]) }
output "fn_compact" { value = compact(["a", "", "b", null]) }
output "fn_setunion" { value = setunion(["a", "b"], ["b", "c"]) }
output "fn_setintersection" { value = setintersection(["a", "b"], ["b", "c"]) }
output "fn_setsubtract" { value = setsubtract(["a", "b", "c"], ["b"]) }
output "fn_setproduct" { value = setproduct(["a", "b"], ["1"]) }
output "fn_one" { value = [one([]), one(["x"])] }
output "fn_alltrue" { value = [alltrue([]), alltrue([true, false]), anytrue([false, true]), anytrue([])] }
output "fn_sum" { value = [sum([1, 2, 3.5]), sum(var.nums)] }
output "fn_chunklist" { value = chunklist([1, 2, 3], 2) }
output "fn_transpose" { value = transpose({ a = ["1", "2"], b = ["2"] }) }
output "fn_matchkeys" { value = matchkeys(["i-1", "i-2"], ["us", "eu"], ["eu"]) }
output "fn_tostring" { value = [tostring(5), tostring(true), tostring("x")] }
output "fn_tonumber" { value = [tonumber("5"), tonumber("1.5"), tonumber(3)] }
output "fn_tobool" { value = [tobool("true"), tobool(false)] }
output "fn_tolist" { value = tolist(toset(["b", "a", "b"])) }
output "fn_tomap" { value = tomap({ a = 1, b = "x" }) }
output "fn_try" { value = [try(local.m.zz, "fallback"), try(tonumber("x"), 0), try(local.m.a, 9)] }
output "fn_can" { value = [can(local.m.zz), can(local.m.a), can(regex("^a", "abc"))] }
output "fn_jsonencode" { value = jsonencode({ b = [1, "<x>", true, null], a = { c = 1.5 } }) }
output "fn_jsondecode" { value = jsondecode("{\"a\": [1, 2.5, \"x\", null, true], \"b\": {}}") }
output "fn_yamlencode" { value = yamlencode({ a = 1, b = ["x", "y"], c = { d = "e" }, e = "multi\nline", f = true, g = null }) }
output "fn_yamldecode" { value = yamldecode("a: 1\nb: [x, z]\nc:\n  d: e\n") }
output "fn_base64" { value = [base64encode("hello"), base64decode("aGVsbG8=")] }
output "fn_urlencode" { value = urlencode("a b&c/d?e=ü") }
output "fn_hash" { value = [md5("hello"), sha1("hello"), sha256("hello"), base64sha256("hello")] }
output "fn_sha512" { value = [sha512("hello"), base64sha512("hello")] }
output "fn_uuid_len" { value = length(uuid()) }
output "fn_minmax" { value = [min(3, 1, 2), max(3, 1, 2), max(var.nums...)] }
output "fn_numeric" { value = [abs(-3.5), ceil(1.2), floor(1.8), pow(2, 10), signum(-4), signum(0)] }
output "fn_log" { value = [log(8, 2), log(100, 10)] }
output "fn_parseint" { value = [parseint("ff", 16), parseint("-101", 2), parseint("777", 8)] }
output "fn_formatdate" { value = [formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z"), formatdate("EEEE, D-MMM-YY h:mm:ss AA", "2018-01-02T23:12:01Z"), formatdate("YYYY-MM-DD'T'hh:mm:ssZ", "2024-05-06T07:08:09+02:00")] }
output "fn_timeadd" { value = [timeadd("2017-11-22T00:00:00Z", "10m"), timeadd("2017-11-22T00:00:00Z", "-1h30m")] }
output "fn_timestamp_len" { value = length(timestamp()) }
output "fn_cidr" { value = [cidrsubnet("10.1.0.0/16", 8, 2), cidrsubnet("10.0.0.0/8", 8, 255), cidrhost("10.12.112.0/20", 16), cidrhost("10.12.112.0/20", -2), cidrnetmask("172.16.0.0/12")] }
output "fn_cidrsubnets" { value = cidrsubnets("10.1.0.0/16", 4, 4, 8, 4) }
output "fn_path" { value = [basename("foo/bar/baz.txt"), dirname("foo/bar/baz.txt"), basename("x")] }
output "fn_file" { value = [fileexists("${path.module}/data.txt"), file("${path.module}/data.txt"), fileexists("${path.module}/nope")] }
output "fn_templatefile" { value = templatefile("${path.module}/greeting.tftpl", { names = ["ann", "bob"], title = "Hi" }) }
output "fn_fileset" { value = fileset(path.module, "*.{txt,tftpl}") }
output "path_module" { value = path.module }
output "sensitive_out" {
  value     = sensitive("hidden")
  sensitive = true
}
output "nonsensitive_out" { value = nonsensitive(sensitive("shown")) }
output "null_out" { value = null }
output "types_tuple" { value = [1, "a", true, null, { k = [] }] }
