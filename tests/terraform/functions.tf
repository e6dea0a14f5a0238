# Every built-in function, with edge cases, compared with Terraform's results by
# tests/test_terraform.rs (`expressions_and_functions_match_terraform` applies this directory with
# both tools and compares every output). An expression that fails gives "<<ERR>>", so a function
# that errors where Terraform does not (or the reverse) shows up as a difference too. One output
# per expression; the names are only positions: the expression is on the same line.
# Left out on purpose (see docs/language.md, "Known differences"): numbers beyond float64
# precision, base64gzip's exact bytes, multi-line yamlencode keys, encodings skyform lacks.

terraform {
  required_providers {
    terraform = { source = "terraform.io/builtin/terraform" }
  }
}

locals {
  fn_err    = "<<ERR>>"
  fn_tpl    = "Hello $${name}!"
  fn_secret = sensitive("s3cr3t")
}

# str
output "fs_001" { value = try(title("hello world-foo"), local.fn_err) }
output "fs_002" { value = try(title("élan vital"), local.fn_err) }
output "fs_003" { value = try(title("o'neil mc_donald x1y"), local.fn_err) }
output "fs_004" { value = try(title("ǆemal"), local.fn_err) }
output "fs_005" { value = try(title("ßa"), local.fn_err) }
output "fs_006" { value = try(title("hello\tworld"), local.fn_err) }
output "fs_007" { value = try(title("a.b,c;d"), local.fn_err) }
output "fs_008" { value = try(title("aBC dEF"), local.fn_err) }
output "fs_009" { value = try(title("1st 2nd"), local.fn_err) }
output "fs_010" { value = try(upper("straße"), local.fn_err) }
output "fs_011" { value = try(upper("éa"), local.fn_err) }
output "fs_012" { value = try(lower("ΑΣ"), local.fn_err) }
output "fs_013" { value = try(lower("ΟΔΟΣ"), local.fn_err) }
output "fs_014" { value = try(lower("İ"), local.fn_err) }
output "fs_015" { value = try(upper("ǆ"), local.fn_err) }
output "fs_016" { value = try(lower("ÀÉ"), local.fn_err) }
output "fs_017" { value = try(upper("ﬁ"), local.fn_err) }
output "fs_018" { value = try(length("e\u0301"), local.fn_err) }
output "fs_019" { value = try(length("👍🏽"), local.fn_err) }
output "fs_020" { value = try(length("🇩🇪"), local.fn_err) }
output "fs_021" { value = try(length("héllo"), local.fn_err) }
output "fs_022" { value = try(length("a\r\nb"), local.fn_err) }
output "fs_023" { value = try(length("\u200d"), local.fn_err) }
output "fs_024" { value = try(strrev("👍🏽a"), local.fn_err) }
output "fs_025" { value = try(strrev("🇩🇪🇫🇷"), local.fn_err) }
output "fs_026" { value = try(strrev(""), local.fn_err) }
output "fs_027" { value = try(substr("👍🏽ab", 1, 1), local.fn_err) }
output "fs_028" { value = try(substr("hello", 1, 100), local.fn_err) }
output "fs_029" { value = try(substr("hello", 5, 1), local.fn_err) }
output "fs_030" { value = try(substr("hello", 0, 0), local.fn_err) }
output "fs_031" { value = try(substr("hello", -1, 1), local.fn_err) }
output "fs_032" { value = try(substr("hello", 2, -1), local.fn_err) }
output "fs_033" { value = try(substr("hello", 6, 1), local.fn_err) }
output "fs_034" { value = try(substr("hello", -6, 1), local.fn_err) }
output "fs_035" { value = try(substr("hello", 1.5, 1), local.fn_err) }
output "fs_036" { value = try(substr("hello", 1, -2), local.fn_err) }
output "fs_037" { value = try(format("%5s|", "é"), local.fn_err) }
output "fs_038" { value = try(format("%-5s|", "👍🏽"), local.fn_err) }
output "fs_039" { value = try(format("%05d", -42), local.fn_err) }
output "fs_040" { value = try(format("%+d", 5), local.fn_err) }
output "fs_041" { value = try(format("% d", 5), local.fn_err) }
output "fs_042" { value = try(format("%x", "hi"), local.fn_err) }
output "fs_043" { value = try(format("%X", 255), local.fn_err) }
output "fs_044" { value = try(format("%5.1f|", 3.14159), local.fn_err) }
output "fs_045" { value = try(format("%-8.3f|", 2.5), local.fn_err) }
output "fs_046" { value = try(format("%v", "s"), local.fn_err) }
output "fs_047" { value = try(format("%v", 1.5), local.fn_err) }
output "fs_048" { value = try(format("%v", true), local.fn_err) }
output "fs_049" { value = try(format("%v", [1, "a"]), local.fn_err) }
output "fs_050" { value = try(format("%v", { a = 1 }), local.fn_err) }
output "fs_051" { value = try(format("%#v", "s"), local.fn_err) }
output "fs_052" { value = try(format("%#v", 1), local.fn_err) }
output "fs_053" { value = try(format("%#v", [1, "a"]), local.fn_err) }
output "fs_054" { value = try(format("%v", null), local.fn_err) }
output "fs_055" { value = try(format("%q", "a\"b\n"), local.fn_err) }
output "fs_056" { value = try(format("%q", 12), local.fn_err) }
output "fs_057" { value = try(format("%q", "é<>"), local.fn_err) }
output "fs_058" { value = try(format("%e", 1234.5678), local.fn_err) }
output "fs_059" { value = try(format("%E", 0.000123), local.fn_err) }
output "fs_060" { value = try(format("%.3e", 1), local.fn_err) }
output "fs_061" { value = try(format("%g", 1234567.0), local.fn_err) }
output "fs_062" { value = try(format("%g", 0.0001), local.fn_err) }
output "fs_063" { value = try(format("%G", 1e21), local.fn_err) }
output "fs_064" { value = try(format("%f", 1e20), local.fn_err) }
output "fs_065" { value = try(format("%.0f", 2.5), local.fn_err) }
output "fs_066" { value = try(format("%.0f", 3.5), local.fn_err) }
output "fs_067" { value = try(format("%b", 5), local.fn_err) }
output "fs_068" { value = try(format("%o", 64), local.fn_err) }
output "fs_069" { value = try(format("%x", -255), local.fn_err) }
output "fs_070" { value = try(format("%d", 1e15), local.fn_err) }
output "fs_071" { value = try(format("%%"), local.fn_err) }
output "fs_072" { value = try(format("%t", true), local.fn_err) }
output "fs_073" { value = try(format("%s", 1.5), local.fn_err) }
output "fs_074" { value = try(format("%s", true), local.fn_err) }
output "fs_075" { value = try(format("%[2]s %[1]s", "a", "b"), local.fn_err) }
output "fs_076" { value = try(format("%[2]s %s", "a", "b", "c"), local.fn_err) }
output "fs_077" { value = try(format("%d%%", 50), local.fn_err) }
output "fs_078" { value = try(format("%.2s", "héllo"), local.fn_err) }
output "fs_079" { value = try(format("%8.3s|", "abcdef"), local.fn_err) }
output "fs_080" { value = try(format("%d", 1.5), local.fn_err) }
output "fs_081" { value = try(format("%d", "x"), local.fn_err) }
output "fs_082" { value = try(format("%s"), local.fn_err) }
output "fs_083" { value = try(format("%s", "a", "b"), local.fn_err) }
output "fs_084" { value = try(format("%z", 1), local.fn_err) }
output "fs_085" { value = try(format("%t", "true"), local.fn_err) }
output "fs_086" { value = try(format("%s", [1]), local.fn_err) }
output "fs_087" { value = try(format("%d", "12"), local.fn_err) }
output "fs_088" { value = try(format("%f", "1.5"), local.fn_err) }
output "fs_089" { value = try(format("%s", null), local.fn_err) }
output "fs_090" { value = try(format("%d", null), local.fn_err) }
output "fs_091" { value = try(format("%5t|", true), local.fn_err) }
output "fs_092" { value = try(format("%-+5d|", 3), local.fn_err) }
output "fs_093" { value = try(format("%c", 65), local.fn_err) }
output "fs_094" { value = try(format("%U", 65), local.fn_err) }
output "fs_095" { value = try(format("%x", 1.5), local.fn_err) }
output "fs_096" { value = try(format("%.3f", 1), local.fn_err) }
output "fs_097" { value = try(format("%10.4v|", "abcdefg"), local.fn_err) }
output "fs_098" { value = try(format("%s", "%d"), local.fn_err) }
output "fs_099" { value = try(format("%", 1), local.fn_err) }
output "fs_100" { value = try(format("abc%"), local.fn_err) }
output "fs_101" { value = try(format("%#x", 255), local.fn_err) }
output "fs_102" { value = try(format("%#o", 8), local.fn_err) }
output "fs_103" { value = try(format("%08.3f", -3.14159), local.fn_err) }
output "fs_104" { value = try(format("%+.2e", 12345), local.fn_err) }
output "fs_105" { value = try(format("%*d", 5, 3), local.fn_err) }
output "fs_106" { value = try(formatlist("%s-%s", ["a", "b"], "x"), local.fn_err) }
output "fs_107" { value = try(formatlist("%s", []), local.fn_err) }
output "fs_108" { value = try(formatlist("x"), local.fn_err) }
output "fs_109" { value = try(formatlist("%s%s", ["a"], ["b", "c"]), local.fn_err) }
output "fs_110" { value = try(formatlist("%s", toset(["b", "a"])), local.fn_err) }
output "fs_111" { value = try(formatlist("%d", [1.5]), local.fn_err) }
output "fs_112" { value = try(join(",", []), local.fn_err) }
output "fs_113" { value = try(join(",", ["a"], [], ["b"]), local.fn_err) }
output "fs_114" { value = try(join("", [1, true, "x"]), local.fn_err) }
output "fs_115" { value = try(join(",", ["a", null]), local.fn_err) }
output "fs_116" { value = try(join(","), local.fn_err) }
output "fs_117" { value = try(split("", "abc"), local.fn_err) }
output "fs_118" { value = try(split(",", ""), local.fn_err) }
output "fs_119" { value = try(split("é", "aébéc"), local.fn_err) }
output "fs_120" { value = try(split(",", "a,"), local.fn_err) }
output "fs_121" { value = try(split("ab", "xabyabz"), local.fn_err) }
output "fs_122" { value = try(split("", ""), local.fn_err) }
output "fs_123" { value = try(replace("hello", "", "-"), local.fn_err) }
output "fs_124" { value = try(replace("aaa", "a", "b"), local.fn_err) }
output "fs_125" { value = try(replace("a1b22", "/\\d+/", "#"), local.fn_err) }
output "fs_126" { value = try(replace("abc", "/(?P<x>b)/", "[$x]"), local.fn_err) }
output "fs_127" { value = try(replace("abc", "/b/", "$$"), local.fn_err) }
output "fs_128" { value = try(replace("abc", "/(b)/", "$1x"), local.fn_err) }
output "fs_129" { value = try(replace("abc", "/(b)/", "$${1}x"), local.fn_err) }
output "fs_130" { value = try(replace("x", "/", "y"), local.fn_err) }
output "fs_131" { value = try(replace("/", "/", "y"), local.fn_err) }
output "fs_132" { value = try(replace("//", "//", "y"), local.fn_err) }
output "fs_133" { value = try(replace("abc", "/(?i)B/", "z"), local.fn_err) }
output "fs_134" { value = try(replace("aaa", "/a*/", "-"), local.fn_err) }
output "fs_135" { value = try(replace("abc", "/x*/", "-"), local.fn_err) }
output "fs_136" { value = try(replace("hello", "l", ""), local.fn_err) }
output "fs_137" { value = try(regex("^(a)?(b)", "b"), local.fn_err) }
output "fs_138" { value = try(regex("(?P<first>a)|(?P<second>b)", "b"), local.fn_err) }
output "fs_139" { value = try(regexall("(a)(b)?", "aab"), local.fn_err) }
output "fs_140" { value = try(regexall("(?P<n>\\d)", "1a2"), local.fn_err) }
output "fs_141" { value = try(regex("(?i)HELLO", "hello"), local.fn_err) }
output "fs_142" { value = try(regexall("x", "abc"), local.fn_err) }
output "fs_143" { value = try(regex("\\p{L}+", "123héllo"), local.fn_err) }
output "fs_144" { value = try(regex("[[:alpha:]]+", "12ab"), local.fn_err) }
output "fs_145" { value = try(regex("x", "abc"), local.fn_err) }
output "fs_146" { value = try(regex("(", "abc"), local.fn_err) }
output "fs_147" { value = try(regex("(?<n>a)", "a"), local.fn_err) }
output "fs_148" { value = try(regex("a(?P<n>b)(c)", "abc"), local.fn_err) }
output "fs_149" { value = try(regex("\\bfoo\\b", "a foo b"), local.fn_err) }
output "fs_150" { value = try(regex("a*", "bbb"), local.fn_err) }
output "fs_151" { value = try(regexall("a*", "baab"), local.fn_err) }
output "fs_152" { value = try(regex("\\d+", "x１２３"), local.fn_err) }
output "fs_153" { value = try(regex("(?s)a.b", "a\nb"), local.fn_err) }
output "fs_154" { value = try(regex("^b", "a\nb"), local.fn_err) }
output "fs_155" { value = try(regex("(?m)^b$", "a\nb"), local.fn_err) }
output "fs_156" { value = try(trim("  x  ", " "), local.fn_err) }
output "fs_157" { value = try(trim("aaxbaa", "ab"), local.fn_err) }
output "fs_158" { value = try(trim("xéx", "x"), local.fn_err) }
output "fs_159" { value = try(trim("éxé", "é"), local.fn_err) }
output "fs_160" { value = try(trimspace("\u00a0 x \u2003"), local.fn_err) }
output "fs_161" { value = try(trimspace("\t\n x\r"), local.fn_err) }
output "fs_162" { value = try(trimspace("\u0085x\u0085"), local.fn_err) }
output "fs_163" { value = try(trimprefix("aaa", "a"), local.fn_err) }
output "fs_164" { value = try(trimsuffix("aaa", "a"), local.fn_err) }
output "fs_165" { value = try(trim("", "x"), local.fn_err) }
output "fs_166" { value = try(trim("abc", ""), local.fn_err) }
output "fs_167" { value = try(chomp("x\n\r\n"), local.fn_err) }
output "fs_168" { value = try(chomp("x\r"), local.fn_err) }
output "fs_169" { value = try(chomp("x\n \n"), local.fn_err) }
output "fs_170" { value = try(chomp("\n"), local.fn_err) }
output "fs_171" { value = try(chomp("x\r\r\n"), local.fn_err) }
output "fs_172" { value = try(indent(2, ""), local.fn_err) }
output "fs_173" { value = try(indent(0, "a\nb"), local.fn_err) }
output "fs_174" { value = try(indent(3, "a\r\nb"), local.fn_err) }
output "fs_175" { value = try(indent(1, "\n\n"), local.fn_err) }
output "fs_176" { value = try(indent(-1, "a\nb"), local.fn_err) }
output "fs_177" { value = try(indent(1.5, "a\nb"), local.fn_err) }
output "fs_178" { value = try(startswith("", ""), local.fn_err) }
output "fs_179" { value = try(startswith("a", ""), local.fn_err) }
output "fs_180" { value = try(endswith("abc", "abc"), local.fn_err) }
output "fs_181" { value = try(strcontains("", ""), local.fn_err) }
output "fs_182" { value = try(startswith("héllo", "hé"), local.fn_err) }
output "fs_183" { value = try(lower(""), local.fn_err) }
output "fs_184" { value = try(title(""), local.fn_err) }
output "fs_185" { value = try(strrev("abc"), local.fn_err) }
output "fs_186" { value = try(upper(5), local.fn_err) }
output "fs_187" { value = try(length(5), local.fn_err) }
output "fs_188" { value = try(length(null), local.fn_err) }
output "fs_189" { value = try(length(true), local.fn_err) }

# col
output "fc_001" { value = try(length([1, 2]), local.fn_err) }
output "fc_002" { value = try(length(toset([1, 1])), local.fn_err) }
output "fc_003" { value = try(concat(), local.fn_err) }
output "fc_004" { value = try(concat([], []), local.fn_err) }
output "fc_005" { value = try(concat(["a"], [1]), local.fn_err) }
output "fc_006" { value = try(concat(toset(["b", "a"]), ["c"]), local.fn_err) }
output "fc_007" { value = try(merge(), local.fn_err) }
output "fc_008" { value = try(merge({ a = 1 }, null, { b = 2 }), local.fn_err) }
output "fc_009" { value = try(merge({ a = { x = 1 } }, { a = { y = 2 } }), local.fn_err) }
output "fc_010" { value = try(merge({ a = 1 }, { a = "s" }), local.fn_err) }
output "fc_011" { value = try(merge([1]), local.fn_err) }
output "fc_012" { value = try(lookup({ a = 1 }, "b", "d"), local.fn_err) }
output "fc_013" { value = try(lookup({ a = 1 }, "a"), local.fn_err) }
output "fc_014" { value = try(lookup({ a = 1 }, "b"), local.fn_err) }
output "fc_015" { value = try(lookup({ a = null }, "a", "d"), local.fn_err) }
output "fc_016" { value = try(lookup({}, "a", null), local.fn_err) }
output "fc_017" { value = try(keys({}), local.fn_err) }
output "fc_018" { value = try(keys({ b = 1, a = 2, "10" = 3, "9" = 4 }), local.fn_err) }
output "fc_019" { value = try(values({ b = 1, a = "x" }), local.fn_err) }
output "fc_020" { value = try(element(["a", "b"], 3), local.fn_err) }
output "fc_021" { value = try(element(["a", "b"], -1), local.fn_err) }
output "fc_022" { value = try(element(["a", "b"], 1.5), local.fn_err) }
output "fc_023" { value = try(element([], 0), local.fn_err) }
output "fc_024" { value = try(element(["a", "b", "c"], -4), local.fn_err) }
output "fc_025" { value = try(index(["a", "b"], "b"), local.fn_err) }
output "fc_026" { value = try(index(["a", "b"], "z"), local.fn_err) }
output "fc_027" { value = try(index([1, 2], "2"), local.fn_err) }
output "fc_028" { value = try(index(["1", "2"], 2), local.fn_err) }
output "fc_029" { value = try(contains(["a"], "a"), local.fn_err) }
output "fc_030" { value = try(contains([1, 2], "1"), local.fn_err) }
output "fc_031" { value = try(contains(["1"], 1), local.fn_err) }
output "fc_032" { value = try(contains([], "x"), local.fn_err) }
output "fc_033" { value = try(contains(toset(["a"]), "a"), local.fn_err) }
output "fc_034" { value = try(distinct([1, "1", 1]), local.fn_err) }
output "fc_035" { value = try(distinct([]), local.fn_err) }
output "fc_036" { value = try(distinct([[1], [1], [2]]), local.fn_err) }
output "fc_037" { value = try(flatten([[1, [2]], 3]), local.fn_err) }
output "fc_038" { value = try(flatten([]), local.fn_err) }
output "fc_039" { value = try(flatten([[], [[]], [[[1]]]]), local.fn_err) }
output "fc_040" { value = try(flatten([toset(["b", "a"]), ["c"]]), local.fn_err) }
output "fc_041" { value = try(flatten([{ a = 1 }, [2]]), local.fn_err) }
output "fc_042" { value = try(slice(["a", "b", "c"], 1, 2), local.fn_err) }
output "fc_043" { value = try(slice(["a", "b", "c"], 3, 3), local.fn_err) }
output "fc_044" { value = try(slice(["a", "b", "c"], 2, 1), local.fn_err) }
output "fc_045" { value = try(slice(["a", "b", "c"], -1, 1), local.fn_err) }
output "fc_046" { value = try(slice(["a", "b", "c"], 0, 4), local.fn_err) }
output "fc_047" { value = try(slice(["a", "b", "c"], 0.5, 1), local.fn_err) }
output "fc_048" { value = try(sort(["b", "a", "10", "9"]), local.fn_err) }
output "fc_049" { value = try(sort([3, 10, 2]), local.fn_err) }
output "fc_050" { value = try(sort(["é", "e", "z", "E"]), local.fn_err) }
output "fc_051" { value = try(sort([]), local.fn_err) }
output "fc_052" { value = try(sort([true, "a"]), local.fn_err) }
output "fc_053" { value = try(sort(toset(["b", "a"])), local.fn_err) }
output "fc_054" { value = try(reverse([1, 2, 3]), local.fn_err) }
output "fc_055" { value = try(reverse([]), local.fn_err) }
output "fc_056" { value = try(reverse(toset(["a", "b"])), local.fn_err) }
output "fc_057" { value = try(range(3), local.fn_err) }
output "fc_058" { value = try(range(1, 4), local.fn_err) }
output "fc_059" { value = try(range(4, 1), local.fn_err) }
output "fc_060" { value = try(range(1, 2, 0.25), local.fn_err) }
output "fc_061" { value = try(range(0, -1, -0.3), local.fn_err) }
output "fc_062" { value = try(range(-3), local.fn_err) }
output "fc_063" { value = try(range(0), local.fn_err) }
output "fc_064" { value = try(range(1, 1), local.fn_err) }
output "fc_065" { value = try(range(0, 1, -1), local.fn_err) }
output "fc_066" { value = try(range(5, 1, 2), local.fn_err) }
output "fc_067" { value = try(range(1, 2, 0), local.fn_err) }
output "fc_068" { value = try(range(0.5), local.fn_err) }
output "fc_069" { value = try(range(1, 4, 1.5), local.fn_err) }
output "fc_070" { value = try(zipmap(["a", "b"], [1, 2]), local.fn_err) }
output "fc_071" { value = try(zipmap(["a", "a"], [1, 2]), local.fn_err) }
output "fc_072" { value = try(zipmap([], []), local.fn_err) }
output "fc_073" { value = try(zipmap(["a"], [1, 2]), local.fn_err) }
output "fc_074" { value = try(zipmap([1, 2], ["x", "y"]), local.fn_err) }
output "fc_075" { value = try(coalesce("", "b"), local.fn_err) }
output "fc_076" { value = try(coalesce(null, 1, "x"), local.fn_err) }
output "fc_077" { value = try(coalesce(1, "x"), local.fn_err) }
output "fc_078" { value = try(coalesce("", ""), local.fn_err) }
output "fc_079" { value = try(coalesce(null), local.fn_err) }
output "fc_080" { value = try(coalesce([], [1]), local.fn_err) }
output "fc_081" { value = try(coalesce(true, "x"), local.fn_err) }
output "fc_082" { value = try(coalescelist([], ["a"]), local.fn_err) }
output "fc_083" { value = try(coalescelist([], []), local.fn_err) }
output "fc_084" { value = try(coalescelist(["a"], [1]), local.fn_err) }
output "fc_085" { value = try(compact(["a", "", "b", null]), local.fn_err) }
output "fc_086" { value = try(compact([]), local.fn_err) }
output "fc_087" { value = try(compact([1, "", 2]), local.fn_err) }
output "fc_088" { value = try(setunion(["a"], ["b", "a"]), local.fn_err) }
output "fc_089" { value = try(setunion([1], ["1"]), local.fn_err) }
output "fc_090" { value = try(setunion([]), local.fn_err) }
output "fc_091" { value = try(setintersection(["a", "b"], ["b", "c"]), local.fn_err) }
output "fc_092" { value = try(setintersection(["a"]), local.fn_err) }
output "fc_093" { value = try(setintersection([1, 2], ["2"]), local.fn_err) }
output "fc_094" { value = try(setsubtract(["a", "b"], ["a"]), local.fn_err) }
output "fc_095" { value = try(setsubtract([1, 2], ["1"]), local.fn_err) }
output "fc_096" { value = try(setproduct(["a", "b"], [1]), local.fn_err) }
output "fc_097" { value = try(setproduct(["a"]), local.fn_err) }
output "fc_098" { value = try(setproduct(["a"], []), local.fn_err) }
output "fc_099" { value = try(setproduct(toset(["b", "a"]), ["x"]), local.fn_err) }
output "fc_100" { value = try(setproduct([1], ["x", "y"], [true]), local.fn_err) }
output "fc_101" { value = try(one([]), local.fn_err) }
output "fc_102" { value = try(one(["a"]), local.fn_err) }
output "fc_103" { value = try(one(["a", "b"]), local.fn_err) }
output "fc_104" { value = try(one(toset([])), local.fn_err) }
output "fc_105" { value = try(one(null), local.fn_err) }
output "fc_106" { value = try(alltrue([]), local.fn_err) }
output "fc_107" { value = try(alltrue([true, "true"]), local.fn_err) }
output "fc_108" { value = try(alltrue([true, 1]), local.fn_err) }
output "fc_109" { value = try(anytrue([]), local.fn_err) }
output "fc_110" { value = try(anytrue([false, "true"]), local.fn_err) }
output "fc_111" { value = try(alltrue([null]), local.fn_err) }
output "fc_112" { value = try(anytrue([null, true]), local.fn_err) }
output "fc_113" { value = try(sum([1, 2.5]), local.fn_err) }
output "fc_114" { value = try(sum([0.1, 0.2]), local.fn_err) }
output "fc_115" { value = try(sum([]), local.fn_err) }
output "fc_116" { value = try(sum(["1", 2]), local.fn_err) }
output "fc_117" { value = try(sum([null]), local.fn_err) }
output "fc_118" { value = try(sum(toset([1, 2])), local.fn_err) }
output "fc_119" { value = try(chunklist([1, 2, 3], 2), local.fn_err) }
output "fc_120" { value = try(chunklist([1, 2, 3], 0), local.fn_err) }
output "fc_121" { value = try(chunklist([], 2), local.fn_err) }
output "fc_122" { value = try(chunklist([1], -1), local.fn_err) }
output "fc_123" { value = try(chunklist([1, 2], 1.5), local.fn_err) }
output "fc_124" { value = try(transpose({ a = ["1", "2"], b = ["2"] }), local.fn_err) }
output "fc_125" { value = try(transpose({}), local.fn_err) }
output "fc_126" { value = try(transpose({ a = [] }), local.fn_err) }
output "fc_127" { value = try(transpose({ a = [1] }), local.fn_err) }
output "fc_128" { value = try(matchkeys(["a", "b", "c"], ["x", "y", "z"], ["z", "x"]), local.fn_err) }
output "fc_129" { value = try(matchkeys([1], [1, 2], [1]), local.fn_err) }
output "fc_130" { value = try(matchkeys(["a", "b"], [1, 2], ["1"]), local.fn_err) }
output "fc_131" { value = try(lookup({ a = { b = 1 } }, "a", {}), local.fn_err) }
output "fc_132" { value = try(max(1, 2.5, -1), local.fn_err) }
output "fc_133" { value = try(min(3), local.fn_err) }
output "fc_134" { value = try(max([1, 2]...), local.fn_err) }
output "fc_135" { value = try(max("3", 2), local.fn_err) }
output "fc_136" { value = try(max(), local.fn_err) }
output "fc_137" { value = try(abs(-0), local.fn_err) }
output "fc_138" { value = try(abs(-1.5), local.fn_err) }
output "fc_139" { value = try(ceil(1.1), local.fn_err) }
output "fc_140" { value = try(ceil(-1.1), local.fn_err) }
output "fc_141" { value = try(floor(-1.1), local.fn_err) }
output "fc_142" { value = try(floor(2), local.fn_err) }
output "fc_143" { value = try(pow(2, 10), local.fn_err) }
output "fc_144" { value = try(pow(2, -1), local.fn_err) }
output "fc_145" { value = try(pow(0, 0), local.fn_err) }
output "fc_146" { value = try(pow(-8, 1 / 3), local.fn_err) }
output "fc_147" { value = try(log(8, 2), local.fn_err) }
output "fc_148" { value = try(log(1, 10), local.fn_err) }
output "fc_149" { value = try(log(-1, 10), local.fn_err) }
output "fc_150" { value = try(log(100, 10), local.fn_err) }
output "fc_151" { value = try(signum(-3), local.fn_err) }
output "fc_152" { value = try(signum(0), local.fn_err) }
output "fc_153" { value = try(signum(0.5), local.fn_err) }
output "fc_154" { value = try(parseint("ff", 16), local.fn_err) }
output "fc_155" { value = try(parseint("FF", 16), local.fn_err) }
output "fc_156" { value = try(parseint("-101", 2), local.fn_err) }
output "fc_157" { value = try(parseint("+7", 10), local.fn_err) }
output "fc_158" { value = try(parseint("zz", 36), local.fn_err) }
output "fc_159" { value = try(parseint("ZZ", 36), local.fn_err) }
output "fc_160" { value = try(parseint("Zz", 62), local.fn_err) }
output "fc_161" { value = try(parseint("aA", 62), local.fn_err) }
output "fc_162" { value = try(parseint("12", 1), local.fn_err) }
output "fc_163" { value = try(parseint("12", 63), local.fn_err) }
output "fc_164" { value = try(parseint("1.5", 10), local.fn_err) }
output "fc_165" { value = try(parseint("", 10), local.fn_err) }
output "fc_166" { value = try(parseint("0x1f", 16), local.fn_err) }
output "fc_167" { value = try(parseint("1_000", 10), local.fn_err) }
output "fc_168" { value = try(parseint(" 1", 10), local.fn_err) }
output "fc_169" { value = try(parseint("999999999999999999999", 10), local.fn_err) }
output "fc_170" { value = try(parseint("12", 10.5), local.fn_err) }
output "fc_171" { value = try(parseint(12, 10), local.fn_err) }

# enc
output "fe_001" { value = try(jsonencode("<>&\u2028\u2029"), local.fn_err) }
output "fe_002" { value = try(jsonencode({ b = [1, "x"], a = null }), local.fn_err) }
output "fe_003" { value = try(jsonencode(1.5), local.fn_err) }
output "fe_004" { value = try(jsonencode(1e21), local.fn_err) }
output "fe_005" { value = try(jsonencode(0.1), local.fn_err) }
output "fe_006" { value = try(jsonencode(1000000), local.fn_err) }
output "fe_007" { value = try(jsonencode("é\u0000\u001f\u007f"), local.fn_err) }
output "fe_008" { value = try(jsonencode(toset(["b", "a"])), local.fn_err) }
output "fe_009" { value = try(jsonencode(tomap({ a = 1 })), local.fn_err) }
output "fe_010" { value = try(jsonencode([]), local.fn_err) }
output "fe_011" { value = try(jsonencode({}), local.fn_err) }
output "fe_012" { value = try(jsonencode(null), local.fn_err) }
output "fe_013" { value = try(jsondecode("{\"b\":1,\"a\":[true,null,\"x\"]}"), local.fn_err) }
output "fe_014" { value = try(jsondecode("1e3"), local.fn_err) }
output "fe_015" { value = try(jsondecode("\"\\u00e9\""), local.fn_err) }
output "fe_016" { value = try(jsondecode("[1,"), local.fn_err) }
output "fe_017" { value = try(jsondecode(""), local.fn_err) }
output "fe_018" { value = try(jsondecode("1 2"), local.fn_err) }
output "fe_019" { value = try(jsondecode("{\"a\":1,\"a\":2}"), local.fn_err) }
output "fe_020" { value = try(jsondecode("12345678901234567890"), local.fn_err) }
output "fe_021" { value = try(jsondecode(" null "), local.fn_err) }
output "fe_022" { value = try(yamlencode({ a = 1, b = ["x", "y"], c = { d = "e" } }), local.fn_err) }
output "fe_023" { value = try(yamlencode("multi\nline\n"), local.fn_err) }
output "fe_024" { value = try(yamlencode("multi\nline"), local.fn_err) }
output "fe_025" { value = try(yamlencode({ s = "a\nb", t = "x\n" }), local.fn_err) }
output "fe_026" { value = try(yamlencode(["true", "null", "1", "1.5", "", "yes", "no", "~", "a: b", "- x", "#c", " lead", "trail ", "@x", "%x", "é", "'q'", "\"dq\""]), local.fn_err) }
output "fe_027" { value = try(yamlencode([1.5, 1e21, 0.1, 100, -3, true, null]), local.fn_err) }
output "fe_028" { value = try(yamlencode([[1, 2], [], {}, [[3]]]), local.fn_err) }
output "fe_029" { value = try(yamlencode({ "key with space" = 1, "1" = 2, "true" = 3, "" = 4 }), local.fn_err) }
output "fe_030" { value = try(yamlencode([{ a = 1, b = 2 }, { c = [1] }]), local.fn_err) }
output "fe_031" { value = try(yamlencode({ a = [{ b = 1 }] }), local.fn_err) }
output "fe_032" { value = try(yamlencode(""), local.fn_err) }
output "fe_033" { value = try(yamlencode(null), local.fn_err) }
output "fe_034" { value = try(yamlencode({}), local.fn_err) }
output "fe_035" { value = try(yamlencode([]), local.fn_err) }
output "fe_036" { value = try(yamlencode("tab\there"), local.fn_err) }
output "fe_037" { value = try(yamlencode("line1\n  indented\nline3"), local.fn_err) }
output "fe_038" { value = try(yamlencode(" leading space\nx"), local.fn_err) }
output "fe_039" { value = try(yamlencode("x\n\n\n"), local.fn_err) }
output "fe_040" { value = try(yamlencode("\u2028"), local.fn_err) }
output "fe_041" { value = try(yamlencode("a\u0001b"), local.fn_err) }
output "fe_042" { value = try(yamldecode("a: &x 1\nb: *x\n"), local.fn_err) }
output "fe_043" { value = try(yamldecode("!!str 123"), local.fn_err) }
output "fe_044" { value = try(yamldecode("0x1f"), local.fn_err) }
output "fe_045" { value = try(yamldecode("0o17"), local.fn_err) }
output "fe_046" { value = try(yamldecode("1_000"), local.fn_err) }
output "fe_047" { value = try(yamldecode("~"), local.fn_err) }
output "fe_048" { value = try(yamldecode(""), local.fn_err) }
output "fe_049" { value = try(yamldecode("---\na: 1\n---\nb: 2\n"), local.fn_err) }
output "fe_050" { value = try(yamldecode("a: !!binary aGVsbG8="), local.fn_err) }
output "fe_052" { value = try(yamldecode("[1, 2"), local.fn_err) }
output "fe_053" { value = try(yamldecode("{1: a, true: b}"), local.fn_err) }
output "fe_054" { value = try(yamldecode("a: |\n  x\n  y\n"), local.fn_err) }
output "fe_055" { value = try(yamldecode("!custom x"), local.fn_err) }
output "fe_056" { value = try(yamldecode("? [a]\n: b\n"), local.fn_err) }
output "fe_057" { value = try(base64encode("héllo"), local.fn_err) }
output "fe_058" { value = try(base64decode("aGVsbG8="), local.fn_err) }
output "fe_059" { value = try(base64decode("aGVsbG8"), local.fn_err) }
output "fe_060" { value = try(base64decode("aGVs bG8="), local.fn_err) }
output "fe_061" { value = try(base64decode("/w=="), local.fn_err) }
output "fe_062" { value = try(base64decode("aGVsbG8=\n"), local.fn_err) }
output "fe_063" { value = try(base64decode("aGVsbG8-"), local.fn_err) }
output "fe_064" { value = try(base64sha256("héllo"), local.fn_err) }
output "fe_065" { value = try(base64sha512("x"), local.fn_err) }
output "fe_066" { value = try(textencodebase64("héllo", "UTF-16LE"), local.fn_err) }
output "fe_067" { value = try(textencodebase64("hello", "ISO-8859-1"), local.fn_err) }
output "fe_068" { value = try(textencodebase64("é", "UTF-8"), local.fn_err) }
output "fe_069" { value = try(textencodebase64("x", "nope"), local.fn_err) }
output "fe_070" { value = try(textdecodebase64("aABlAGwAbABvAA==", "UTF-16LE"), local.fn_err) }
output "fe_071" { value = try(textdecodebase64("6Q==", "ISO-8859-1"), local.fn_err) }
output "fe_072" { value = try(textdecodebase64("aGk=", "UTF-8"), local.fn_err) }
output "fe_073" { value = try(textencodebase64("€", "windows-1252"), local.fn_err) }
output "fe_074" { value = try(textdecodebase64("gA==", "windows-1252"), local.fn_err) }
output "fe_075" { value = try(urlencode("a b&c"), local.fn_err) }
output "fe_076" { value = try(urlencode("é/~-_.!*'()"), local.fn_err) }
output "fe_077" { value = try(urlencode(""), local.fn_err) }
output "fe_078" { value = try(csvdecode("a,b\n1,2\n3,4\n"), local.fn_err) }
output "fe_079" { value = try(csvdecode("a,b\n\"x,y\",\"q\"\"z\"\n"), local.fn_err) }
output "fe_080" { value = try(csvdecode("a,b\n\"line\nbreak\",2"), local.fn_err) }
output "fe_081" { value = try(csvdecode("a,b\n1\n"), local.fn_err) }
output "fe_082" { value = try(csvdecode("a,b\n1,2,3\n"), local.fn_err) }
output "fe_083" { value = try(csvdecode("a,b\n"), local.fn_err) }
output "fe_084" { value = try(csvdecode(""), local.fn_err) }
output "fe_085" { value = try(csvdecode("a,a\n1,2\n"), local.fn_err) }
output "fe_086" { value = try(csvdecode("a, b\n 1 , 2 \n"), local.fn_err) }
output "fe_087" { value = try(csvdecode("a,b\r\n1,2\r\n"), local.fn_err) }
output "fe_088" { value = try(csvdecode("a\n\n1\n"), local.fn_err) }
output "fe_089" { value = try(csvdecode("a,b\n\"unterminated,2\n"), local.fn_err) }
output "fe_090" { value = try(csvdecode("a\"b,c\n1,2\n"), local.fn_err) }
output "fe_091" { value = try(csvdecode("a,b\n1,\"2\"x\n"), local.fn_err) }
output "fe_092" { value = try(csvdecode("#c,d\n1,2\n"), local.fn_err) }
output "fe_093" { value = try(md5("é"), local.fn_err) }
output "fe_094" { value = try(sha1("x"), local.fn_err) }
output "fe_095" { value = try(sha256(""), local.fn_err) }
output "fe_096" { value = try(sha512("a"), local.fn_err) }
output "fe_097" { value = try(uuidv5("dns", "www.terraform.io"), local.fn_err) }
output "fe_098" { value = try(uuidv5("url", "https://terraform.io"), local.fn_err) }
output "fe_099" { value = try(uuidv5("oid", "1.2.3"), local.fn_err) }
output "fe_100" { value = try(uuidv5("x500", "cn=x"), local.fn_err) }
output "fe_101" { value = try(uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "x"), local.fn_err) }
output "fe_102" { value = try(uuidv5("nope", "x"), local.fn_err) }
output "fe_103" { value = try(length(uuid()), local.fn_err) }
output "fe_104" { value = try(bcrypt("x", 32), local.fn_err) }

# y2
output "fy_001" { value = try(yamlencode(true), local.fn_err) }
output "fy_002" { value = try(yamlencode(1), local.fn_err) }
output "fy_003" { value = try(yamlencode("x"), local.fn_err) }
output "fy_004" { value = try(yamlencode("a very long string with many spaces that goes on and on and on well past the eighty column limit of yaml"), local.fn_err) }
output "fy_005" { value = try(yamlencode({ k = "a very long string with many spaces that goes on and on and on well past the eighty column limit of yaml" }), local.fn_err) }
output "fy_006" { value = try(yamlencode("trailing space \nx"), local.fn_err) }
output "fy_007" { value = try(yamlencode("x \ny"), local.fn_err) }
output "fy_008" { value = try(yamlencode("a\tb\nc"), local.fn_err) }
output "fy_009" { value = try(yamlencode("\nleading newline"), local.fn_err) }
output "fy_010" { value = try(yamlencode("a\r\nb"), local.fn_err) }
output "fy_011" { value = try(yamlencode({ a = "x\ny", b = ["p\nq"] }), local.fn_err) }
output "fy_012" { value = try(yamlencode([["a\nb"]]), local.fn_err) }
output "fy_013" { value = try(yamlencode({ a = { b = { c = "x\ny\n" } } }), local.fn_err) }
output "fy_014" { value = try(yamlencode([{ a = [1, 2], b = { c = 1 } }]), local.fn_err) }
output "fy_015" { value = try(yamlencode({ a = [[1, 2], { b = 1 }] }), local.fn_err) }
output "fy_016" { value = try(yamlencode("é\u00a0\u0085\ufeff"), local.fn_err) }
output "fy_017" { value = try(yamlencode("\u0080"), local.fn_err) }
output "fy_018" { value = try(yamlencode("\U0001F600"), local.fn_err) }
output "fy_019" { value = try(yamlencode(0.1), local.fn_err) }
output "fy_020" { value = try(yamlencode(-0.5), local.fn_err) }
output "fy_021" { value = try(yamlencode(1e-7), local.fn_err) }
output "fy_022" { value = try(yamlencode(1e21), local.fn_err) }
output "fy_023" { value = try(yamlencode([for i in range(3) : "x\ny"]), local.fn_err) }
output "fy_024" { value = try(yamlencode("  \nx"), local.fn_err) }
output "fy_025" { value = try(yamlencode("x\n  "), local.fn_err) }
output "fy_026" { value = try(yamlencode("a\n\nb"), local.fn_err) }
output "fy_027" { value = try(format("%v", 1234567.0), local.fn_err) }
output "fy_028" { value = try(format("%v", 1e21), local.fn_err) }
output "fy_029" { value = try(format("%v", 0.0001), local.fn_err) }
output "fy_030" { value = try(format("%s", 1e21), local.fn_err) }
output "fy_031" { value = try(format("%.0s|", "abc"), local.fn_err) }
output "fy_032" { value = try(format("%5.0s|", "abc"), local.fn_err) }
output "fy_033" { value = try(format("%05s", "ab"), local.fn_err) }
output "fy_034" { value = try(format("%-05d|", 3), local.fn_err) }
output "fy_035" { value = try(format("%.3d", 7), local.fn_err) }
output "fy_036" { value = try(format("%8.3d|", -7), local.fn_err) }
output "fy_037" { value = try(format("%O", 8), local.fn_err) }
output "fy_038" { value = try(format("%F", 1.5), local.fn_err) }
output "fy_039" { value = try(format("%.1f", 0.05), local.fn_err) }
output "fy_040" { value = try(format("%.1f", 0.25), local.fn_err) }
output "fy_041" { value = try(format("%6.2f|", -1.005), local.fn_err) }
output "fy_042" { value = try(format("%g", 100000), local.fn_err) }
output "fy_043" { value = try(format("%g", 1e6), local.fn_err) }
output "fy_044" { value = try(format("%g", 1.5e-5), local.fn_err) }
output "fy_045" { value = try(format("%.3g", 1234.5), local.fn_err) }
output "fy_046" { value = try(format("%.3g", 0.00012345), local.fn_err) }
output "fy_047" { value = try(format("%10.3e|", 1234.5), local.fn_err) }
output "fy_048" { value = try(format("%-10.1e|", 1234.5), local.fn_err) }
output "fy_049" { value = try(format("%e", 0), local.fn_err) }
output "fy_050" { value = try(format("%b", -5), local.fn_err) }
output "fy_051" { value = try(format("%#b", 5), local.fn_err) }
output "fy_052" { value = try(format("%#X", 255), local.fn_err) }
output "fy_053" { value = try(format("%+x", 255), local.fn_err) }
output "fy_054" { value = try(format("% x", 255), local.fn_err) }
output "fy_055" { value = try(format("%q", true), local.fn_err) }
output "fy_056" { value = try(format("%5q|", "a"), local.fn_err) }
output "fy_057" { value = try(format("%-6v|", true), local.fn_err) }
output "fy_058" { value = try(format("%-6v|", 12), local.fn_err) }
output "fy_059" { value = try(format("%06v|", 12), local.fn_err) }
output "fy_060" { value = try(format("%[1]s %[1]s", "a"), local.fn_err) }
output "fy_061" { value = try(format("%[3]s", "a", "b"), local.fn_err) }
output "fy_062" { value = try(format("%[0]s", "a"), local.fn_err) }
output "fy_063" { value = try(format("%[1]s", "a", "b"), local.fn_err) }
output "fy_064" { value = try(format("%s %[1]s %s", "a", "b"), local.fn_err) }
output "fy_065" { value = try(format("%#v", { b = 1, a = "<" }), local.fn_err) }
output "fy_066" { value = try(format("%#v", null), local.fn_err) }
output "fy_067" { value = try(format("%#v", 1.5), local.fn_err) }
output "fy_068" { value = try(format("%v", [null]), local.fn_err) }
output "fy_069" { value = try(format("%s", "x%"), local.fn_err) }
output "fy_070" { value = try(format("%-5s|%5s|", "ab", "cd"), local.fn_err) }
output "fy_071" { value = try(format("%.3q", "abcdef"), local.fn_err) }
output "fy_072" { value = try(format("%.2f", 1e15), local.fn_err) }
output "fy_073" { value = try(format("%d", -0), local.fn_err) }
output "fy_074" { value = try(format("%.2f", -0.001), local.fn_err) }
output "fy_075" { value = try(format("%x", 1e20), local.fn_err) }

# misc
output "fm_001" { value = try(tostring(5), local.fn_err) }
output "fm_002" { value = try(tostring(1.5), local.fn_err) }
output "fm_003" { value = try(tostring(true), local.fn_err) }
output "fm_004" { value = try(tostring(null), local.fn_err) }
output "fm_005" { value = try(tostring([1]), local.fn_err) }
output "fm_006" { value = try(tonumber("1.5"), local.fn_err) }
output "fm_007" { value = try(tonumber("0x10"), local.fn_err) }
output "fm_008" { value = try(tonumber(" 1"), local.fn_err) }
output "fm_009" { value = try(tonumber("1e3"), local.fn_err) }
output "fm_010" { value = try(tonumber("abc"), local.fn_err) }
output "fm_011" { value = try(tonumber(true), local.fn_err) }
output "fm_012" { value = try(tonumber(null), local.fn_err) }
output "fm_013" { value = try(tonumber("-0"), local.fn_err) }
output "fm_014" { value = try(tobool("true"), local.fn_err) }
output "fm_015" { value = try(tobool("1"), local.fn_err) }
output "fm_016" { value = try(tobool(null), local.fn_err) }
output "fm_017" { value = try(tobool("True"), local.fn_err) }
output "fm_018" { value = try(tolist(["a", 1, true]), local.fn_err) }
output "fm_019" { value = try(tolist([1, [2]]), local.fn_err) }
output "fm_020" { value = try(tolist(toset([3, 1, 2])), local.fn_err) }
output "fm_021" { value = try(toset(["b", "a", "b", 1]), local.fn_err) }
output "fm_022" { value = try(toset([[1], [1]]), local.fn_err) }
output "fm_023" { value = try(tomap({ a = 1, b = "x" }), local.fn_err) }
output "fm_024" { value = try(tomap({ a = 1, b = [1] }), local.fn_err) }
output "fm_025" { value = try(tomap({ a = { x = 1 }, b = { y = "z" } }), local.fn_err) }
output "fm_026" { value = try(tolist([{ a = 1 }, { b = 2 }]), local.fn_err) }
output "fm_027" { value = try(tolist([{ a = 1 }, { a = "x" }]), local.fn_err) }
output "fm_028" { value = try(tolist("x"), local.fn_err) }
output "fm_029" { value = try(tomap([]), local.fn_err) }
output "fm_030" { value = try(tolist([null, 1]), local.fn_err) }
output "fm_031" { value = try(cidrhost("10.12.112.0/20", 16), local.fn_err) }
output "fm_032" { value = try(cidrhost("10.12.112.0/20", -1), local.fn_err) }
output "fm_033" { value = try(cidrhost("10.12.112.0/20", 4096), local.fn_err) }
output "fm_034" { value = try(cidrhost("10.12.112.0/20", 4095), local.fn_err) }
output "fm_035" { value = try(cidrhost("fd00:fd12:3456:7890::/56", 16), local.fn_err) }
output "fm_036" { value = try(cidrhost("fd00::/64", -1), local.fn_err) }
output "fm_037" { value = try(cidrhost("10.0.0.0/8", 1.5), local.fn_err) }
output "fm_038" { value = try(cidrhost("10.0.0.5/8", 0), local.fn_err) }
output "fm_039" { value = try(cidrnetmask("172.16.0.0/12"), local.fn_err) }
output "fm_040" { value = try(cidrnetmask("10.0.0.0/0"), local.fn_err) }
output "fm_041" { value = try(cidrnetmask("10.0.0.0/32"), local.fn_err) }
output "fm_042" { value = try(cidrnetmask("fd00::/64"), local.fn_err) }
output "fm_043" { value = try(cidrnetmask("10.0.0.0/33"), local.fn_err) }
output "fm_044" { value = try(cidrsubnet("10.1.0.0/16", 8, 2), local.fn_err) }
output "fm_045" { value = try(cidrsubnet("10.1.0.0/16", 8, 256), local.fn_err) }
output "fm_046" { value = try(cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162), local.fn_err) }
output "fm_047" { value = try(cidrsubnet("10.1.2.3/16", 0, 0), local.fn_err) }
output "fm_048" { value = try(cidrsubnet("10.1.0.0/16", 17, 0), local.fn_err) }
output "fm_049" { value = try(cidrsubnet("2001:db8::/32", 32, 65537), local.fn_err) }
output "fm_050" { value = try(cidrsubnets("10.1.0.0/16", 4, 4, 8, 4), local.fn_err) }
output "fm_051" { value = try(cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32), local.fn_err) }
output "fm_052" { value = try(cidrsubnets("10.1.0.0/16"), local.fn_err) }
output "fm_053" { value = try(cidrsubnets("10.1.0.0/16", 17), local.fn_err) }
output "fm_054" { value = try(cidrsubnets("10.1.0.0/30", 1, 1, 1), local.fn_err) }
output "fm_055" { value = try(cidrhost("010.1.0.0/16", 1), local.fn_err) }
output "fm_056" { value = try(cidrhost("10.1.0.0", 1), local.fn_err) }
output "fm_057" { value = try(formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z"), local.fn_err) }
output "fm_058" { value = try(formatdate("EEEE, EEE, MMMM, MMM, MM, M, DD, D, YYYY, YY", "2006-01-02T15:04:05Z"), local.fn_err) }
output "fm_059" { value = try(formatdate("hh h HH H AA aa mm m ss s", "2006-01-02T03:04:05Z"), local.fn_err) }
output "fm_060" { value = try(formatdate("HH H AA aa", "2006-01-02T00:30:00Z"), local.fn_err) }
output "fm_061" { value = try(formatdate("HH H AA aa", "2006-01-02T12:30:00Z"), local.fn_err) }
output "fm_062" { value = try(formatdate("ZZZZZ ZZZZ ZZZ Z", "2006-01-02T15:04:05+05:30"), local.fn_err) }
output "fm_063" { value = try(formatdate("ZZZZZ ZZZZ ZZZ Z", "2006-01-02T15:04:05-08:00"), local.fn_err) }
output "fm_064" { value = try(formatdate("ZZZZZ ZZZZ ZZZ Z", "2006-01-02T15:04:05Z"), local.fn_err) }
output "fm_065" { value = try(formatdate("'literal' 'it''s' ''", "2006-01-02T15:04:05Z"), local.fn_err) }
output "fm_066" { value = try(formatdate("YYYY-MM-DD", "2006-01-02T15:04:05.123456Z"), local.fn_err) }
output "fm_067" { value = try(formatdate("YYY", "2006-01-02T15:04:05Z"), local.fn_err) }
output "fm_068" { value = try(formatdate("Y", "2006-01-02T15:04:05Z"), local.fn_err) }
output "fm_069" { value = try(formatdate("x", "2006-01-02T15:04:05Z"), local.fn_err) }
output "fm_070" { value = try(formatdate("DDD", "2006-01-02T15:04:05Z"), local.fn_err) }
output "fm_071" { value = try(formatdate("YYYY", "2006-01-02"), local.fn_err) }
output "fm_072" { value = try(formatdate("YYYY", "2006-01-02T15:04:05"), local.fn_err) }
output "fm_073" { value = try(formatdate("YYYY", "2006-13-02T15:04:05Z"), local.fn_err) }
output "fm_074" { value = try(formatdate("YYYY", "2006-01-02t15:04:05z"), local.fn_err) }
output "fm_075" { value = try(formatdate("YYYY", "0001-01-01T00:00:00Z"), local.fn_err) }
output "fm_076" { value = try(formatdate("'unterminated", "2006-01-02T15:04:05Z"), local.fn_err) }
output "fm_077" { value = try(formatdate("hh:mm:ss", "2006-01-02T15:04:60Z"), local.fn_err) }
output "fm_078" { value = try(formatdate("s", "2006-01-02T15:04:05.999999999Z"), local.fn_err) }
output "fm_079" { value = try(formatdate("ZZZZZ", "2006-01-02T15:04:05+00:00"), local.fn_err) }
output "fm_080" { value = try(formatdate("EEEEE", "2006-01-02T15:04:05Z"), local.fn_err) }
output "fm_081" { value = try(formatdate("MMMMM", "2006-01-02T15:04:05Z"), local.fn_err) }
output "fm_082" { value = try(formatdate("A", "2006-01-02T15:04:05Z"), local.fn_err) }
output "fm_083" { value = try(formatdate("-/:, .", "2006-01-02T15:04:05Z"), local.fn_err) }
output "fm_084" { value = try(timeadd("2017-11-22T00:00:00Z", "10m"), local.fn_err) }
output "fm_085" { value = try(timeadd("2017-11-22T00:00:00Z", "1h30m45.5s"), local.fn_err) }
output "fm_086" { value = try(timeadd("2017-11-22T00:00:00Z", "-1.5h"), local.fn_err) }
output "fm_087" { value = try(timeadd("2017-11-22T00:00:00Z", "1ms"), local.fn_err) }
output "fm_088" { value = try(timeadd("2017-11-22T00:00:00Z", "1500ms"), local.fn_err) }
output "fm_089" { value = try(timeadd("2017-11-22T00:00:00Z", "1us2ns"), local.fn_err) }
output "fm_090" { value = try(timeadd("2017-11-22T00:00:00Z", "1µs"), local.fn_err) }
output "fm_091" { value = try(timeadd("2017-11-22T00:00:00+05:00", "1h"), local.fn_err) }
output "fm_092" { value = try(timeadd("2017-11-22T00:00:00.5Z", "1s"), local.fn_err) }
output "fm_093" { value = try(timeadd("2017-11-22T00:00:00Z", "1d"), local.fn_err) }
output "fm_094" { value = try(timeadd("2017-11-22T00:00:00Z", ""), local.fn_err) }
output "fm_095" { value = try(timeadd("2017-11-22T00:00:00Z", "0"), local.fn_err) }
output "fm_096" { value = try(timeadd("2017-11-22T00:00:00Z", "1h-5m"), local.fn_err) }
output "fm_097" { value = try(timeadd("2017-11-22T00:00:00Z", ".5h"), local.fn_err) }
output "fm_098" { value = try(timeadd("2017-11-22T00:00:00Z", "5.h"), local.fn_err) }
output "fm_099" { value = try(timeadd("2017-11-22T00:00:00Z", "+3s"), local.fn_err) }
output "fm_100" { value = try(timeadd("bad", "1h"), local.fn_err) }
output "fm_101" { value = try(timeadd("2017-11-22T00:00:00Z", "87600h"), local.fn_err) }
output "fm_102" { value = try(timecmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z"), local.fn_err) }
output "fm_103" { value = try(timecmp("2017-11-22T01:00:00Z", "2017-11-22T00:00:00Z"), local.fn_err) }
output "fm_104" { value = try(timecmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00+01:00"), local.fn_err) }
output "fm_105" { value = try(timecmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:01Z"), local.fn_err) }
output "fm_106" { value = try(timecmp("bad", "2017-11-22T00:00:00Z"), local.fn_err) }
output "fm_107" { value = try(length(timestamp()), local.fn_err) }
output "fm_108" { value = try(length(plantimestamp()), local.fn_err) }
output "fm_109" { value = try(basename("foo/bar/baz.txt"), local.fn_err) }
output "fm_110" { value = try(basename("/"), local.fn_err) }
output "fm_111" { value = try(basename(""), local.fn_err) }
output "fm_112" { value = try(basename("a/"), local.fn_err) }
output "fm_113" { value = try(basename("a//"), local.fn_err) }
output "fm_114" { value = try(basename("//"), local.fn_err) }
output "fm_115" { value = try(basename("."), local.fn_err) }
output "fm_116" { value = try(basename("a\\b"), local.fn_err) }
output "fm_117" { value = try(dirname("foo/bar/baz.txt"), local.fn_err) }
output "fm_118" { value = try(dirname("/"), local.fn_err) }
output "fm_119" { value = try(dirname(""), local.fn_err) }
output "fm_120" { value = try(dirname("a/"), local.fn_err) }
output "fm_121" { value = try(dirname("a"), local.fn_err) }
output "fm_122" { value = try(dirname("/a"), local.fn_err) }
output "fm_123" { value = try(dirname("a//b"), local.fn_err) }
output "fm_124" { value = try(dirname("a/./b/../c"), local.fn_err) }
output "fm_125" { value = try(dirname("//a"), local.fn_err) }
output "fm_126" { value = try(abspath("/a/b/../c"), local.fn_err) }
output "fm_127" { value = try(abspath("/"), local.fn_err) }
output "fm_128" { value = try(abspath("/a/./b/"), local.fn_err) }
output "fm_129" { value = try(abspath("//a"), local.fn_err) }
output "fm_130" { value = try(pathexpand("/x/~"), local.fn_err) }
output "fm_131" { value = try(pathexpand("~x"), local.fn_err) }
output "fm_132" { value = try(pathexpand(""), local.fn_err) }
output "fm_133" { value = try(pathexpand("a/~"), local.fn_err) }
output "fm_134" { value = try(file("fnfiles/a.txt"), local.fn_err) }
output "fm_135" { value = try(file("fnfiles/bin.dat"), local.fn_err) }
output "fm_136" { value = try(file("fnfiles/nope.txt"), local.fn_err) }
output "fm_137" { value = try(file("fnfiles/sub"), local.fn_err) }
output "fm_138" { value = try(fileexists("fnfiles/a.txt"), local.fn_err) }
output "fm_139" { value = try(fileexists("fnfiles/nope"), local.fn_err) }
output "fm_140" { value = try(fileexists("fnfiles/sub"), local.fn_err) }
output "fm_141" { value = try(fileset("fnfiles", "*.txt"), local.fn_err) }
output "fm_142" { value = try(fileset("fnfiles", "**/*.txt"), local.fn_err) }
output "fm_143" { value = try(fileset("fnfiles", "sub/*"), local.fn_err) }
output "fm_144" { value = try(fileset("fnfiles/sub", "**/*"), local.fn_err) }
output "fm_145" { value = try(fileset("fnfiles", "{a,bin}.*"), local.fn_err) }
output "fm_146" { value = try(fileset("fnfiles", "[ab].txt"), local.fn_err) }
output "fm_147" { value = try(fileset("fnfiles", "?.txt"), local.fn_err) }
output "fm_148" { value = try(fileset("fnfiles", "nope/*"), local.fn_err) }
output "fm_149" { value = try(fileset("fnfiles", "["), local.fn_err) }
output "fm_150" { value = try(fileset("fnfiles", "sub/**/c.txt"), local.fn_err) }
output "fm_151" { value = try(filebase64("fnfiles/bin.dat"), local.fn_err) }
output "fm_152" { value = try(filemd5("fnfiles/a.txt"), local.fn_err) }
output "fm_153" { value = try(filesha1("fnfiles/a.txt"), local.fn_err) }
output "fm_154" { value = try(filesha256("fnfiles/a.txt"), local.fn_err) }
output "fm_155" { value = try(filesha512("fnfiles/a.txt"), local.fn_err) }
output "fm_156" { value = try(filebase64sha256("fnfiles/a.txt"), local.fn_err) }
output "fm_157" { value = try(filebase64sha512("fnfiles/a.txt"), local.fn_err) }
output "fm_158" { value = try(templatefile("fnfiles/t.tftpl", { name = "x", xs = [1, 2] }), local.fn_err) }
output "fm_159" { value = try(templatefile("fnfiles/t.tftpl", { name = "x" }), local.fn_err) }
output "fm_160" { value = try(templatefile("fnfiles/t.tftpl", { name = "x", xs = [1], extra = 1 }), local.fn_err) }
output "fm_161" { value = try(templatestring(local.fn_tpl, { name = "w" }), local.fn_err) }
output "fm_162" { value = try(templatestring(local.fn_tpl, {}), local.fn_err) }
output "fm_163" { value = try(templatestring(local.fn_tpl, { name = [1] }), local.fn_err) }
output "fm_164" { value = try(try(1 + "x", "fallback"), local.fn_err) }
output "fm_165" { value = try(try(null, "x"), local.fn_err) }
output "fm_166" { value = try(try(tonumber("a"), tobool("b"), "c"), local.fn_err) }
output "fm_167" { value = try(can(tonumber("a")), local.fn_err) }
output "fm_168" { value = try(can(1), local.fn_err) }
output "fm_169" { value = try(issensitive(local.fn_secret), local.fn_err) }
output "fm_170" { value = try(issensitive("x"), local.fn_err) }
output "fm_171" { value = try(nonsensitive(local.fn_secret), local.fn_err) }
output "fm_172" { value = try(issensitive(nonsensitive(local.fn_secret)), local.fn_err) }
output "fm_173" { value = try(nonsensitive("plain"), local.fn_err) }
output "fm_174" { value = try(issensitive(sensitive("a")), local.fn_err) }
output "fm_175" { value = try(issensitive([local.fn_secret]), local.fn_err) }
output "fm_176" { value = try(issensitive(upper(local.fn_secret)), local.fn_err) }
output "fm_177" { value = try(ephemeralasnull("x"), local.fn_err) }
output "fm_178" { value = try(ephemeralasnull(null), local.fn_err) }
output "fm_179" { value = try(ephemeralasnull([1, { a = "b" }]), local.fn_err) }

# more edge cases
output "fr_001" { value = try(yamlencode({ a = [], b = {}, c = [{}], d = [[]], e = { f = [] } }), local.fn_err) }
output "fr_002" { value = try(yamlencode([{ a = { b = [1, { c = "x\ny" }] } }]), local.fn_err) }
output "fr_003" { value = try(yamlencode({ "" = "", " " = " ", "a:b" = "c#d", "-" = "-", "null" = "~" }), local.fn_err) }
output "fr_004" { value = try(yamlencode(["#", "&a", "*a", "!t", "|", ">", "'", "%", "@", "`", "? x", "{}", "[]", ","]), local.fn_err) }
output "fr_005" { value = try(yamlencode("x\u00a0y\nz"), local.fn_err) }
output "fr_006" { value = try(yamlencode("a\n"), local.fn_err) }
output "fr_007" { value = try(yamlencode("\n"), local.fn_err) }
output "fr_008" { value = try(yamlencode("\n\n"), local.fn_err) }
output "fr_009" { value = try(yamlencode("é\nü"), local.fn_err) }
output "fr_010" { value = try(yamlencode("😀\nx"), local.fn_err) }
output "fr_011" { value = try(yamlencode({ k = "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh  iiiiiiiiii jjjjjjjjjj" }), local.fn_err) }
output "fr_012" { value = try(yamlencode(["aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh iiiiiiiiii jjjjjjjjjj kkkkkkkkkk llllllllll mmmmmmmmmm nnnnnnnnnn oooooooooo pppppppppp"]), local.fn_err) }
output "fr_013" { value = try(yamlencode("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b"), local.fn_err) }
output "fr_014" { value = try(yamlencode({ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbb ccc" = 1 }), local.fn_err) }
output "fr_015" { value = try(jsonencode({ "é" = "\u00e9", "\u0000" = 1, "a\"b" = "\\" }), local.fn_err) }
output "fr_016" { value = try(jsonencode([1e-7, 123456789.125, -1.5e300]), local.fn_err) }
output "fr_017" { value = try(jsonencode(0.000001), local.fn_err) }
output "fr_018" { value = try(format("%v", 0.000001), local.fn_err) }
output "fr_019" { value = try(format("%s", 1e-7), local.fn_err) }
output "fr_020" { value = try(tostring(1e-7), local.fn_err) }
output "fr_021" { value = try("${1e21}", local.fn_err) }
output "fr_022" { value = try(format("%10.3s|%-10q|", "abcdef", "ab"), local.fn_err) }
output "fr_023" { value = try(format("%+5.1f|% .2e|%+g", 3.14159, 12345.678, 0.5), local.fn_err) }
output "fr_024" { value = try(format("%x|%X|%o|%b", 0, 0, 0, 0), local.fn_err) }
output "fr_025" { value = try(format("%.0d|%5.0d|", 0, 0), local.fn_err) }
output "fr_026" { value = try(format("%e|%g|%f", 0, 0, 0), local.fn_err) }
output "fr_027" { value = try(format("%.10f", 0.1), local.fn_err) }
output "fr_028" { value = try(format("%.20g", 0.1), local.fn_err) }
output "fr_029" { value = try(format("%08.3e", -1234.5), local.fn_err) }
output "fr_030" { value = try(format("%-08d|", 5), local.fn_err) }
output "fr_031" { value = try(format("%#v", toset(["b", "a"])), local.fn_err) }
output "fr_032" { value = try(format("%#v", tomap({ a = 1 })), local.fn_err) }
output "fr_033" { value = try(format("%v", { a = [1, "x"] }), local.fn_err) }
output "fr_034" { value = try(format("%5v|", [1]), local.fn_err) }
output "fr_035" { value = try(format("%.1v", 3.14159), local.fn_err) }
output "fr_036" { value = try(format("% 5d|%+05d", 42, 42), local.fn_err) }
output "fr_037" { value = try(formatlist("%s:%s", { a = 1 }, ["x"]), local.fn_err) }
output "fr_038" { value = try(formatlist("%v", [[1], { a = 1 }]), local.fn_err) }
output "fr_039" { value = try(formatlist("%[2]s-%[1]s", ["a", "b"], ["c", "d"]), local.fn_err) }
output "fr_040" { value = try(substr("héllo wörld", 3, 5), local.fn_err) }
output "fr_041" { value = try(substr("", 0, 1), local.fn_err) }
output "fr_042" { value = try(substr("", 1, 1), local.fn_err) }
output "fr_043" { value = try(substr("abc", 0, -1), local.fn_err) }
output "fr_044" { value = try(substr("abc", -1, -1), local.fn_err) }
output "fr_045" { value = try(regexall("(?P<y>\\d{4})-(?P<m>\\d{2})", "2020-01 2021-02"), local.fn_err) }
output "fr_046" { value = try(regex("(a)(?:b)(c)?", "ab"), local.fn_err) }
output "fr_047" { value = try(regex("", "abc"), local.fn_err) }
output "fr_048" { value = try(regexall("", "ab"), local.fn_err) }
output "fr_049" { value = try(replace("aaa", "/a/", "$0$0"), local.fn_err) }
output "fr_050" { value = try(replace("abc", "/(?P<first>a)/", "[$first]"), local.fn_err) }
output "fr_051" { value = try(replace("abc", "/b/", "\\n"), local.fn_err) }
output "fr_052" { value = try(replace("a.b.c", ".", "-"), local.fn_err) }
output "fr_053" { value = try(replace("a.b.c", "/./", "-"), local.fn_err) }
output "fr_054" { value = try(replace("abc", "/^/", ">"), local.fn_err) }
output "fr_055" { value = try(split(".", "..."), local.fn_err) }
output "fr_056" { value = try(join(", ", toset(["b", "a"])), local.fn_err) }
output "fr_057" { value = try(title("hello_world foo-bar 3rd x.y"), local.fn_err) }
output "fr_058" { value = try(title("ÉCOLE école"), local.fn_err) }
output "fr_059" { value = try(title("ﬁsh"), local.fn_err) }
output "fr_060" { value = try(title("ǳ ǆ"), local.fn_err) }
output "fr_061" { value = try(upper("ǈ"), local.fn_err) }
output "fr_062" { value = try(lower("ǅ"), local.fn_err) }
output "fr_063" { value = try(lower("ẞ"), local.fn_err) }
output "fr_064" { value = try(upper("ɐ"), local.fn_err) }
output "fr_065" { value = try(upper("ᾳ"), local.fn_err) }
output "fr_066" { value = try(upper("ﬀ"), local.fn_err) }
output "fr_067" { value = try(title("ᾳx"), local.fn_err) }
output "fr_068" { value = try(length("\u0915\u094d\u0937"), local.fn_err) }
output "fr_069" { value = try(length("\u1100\u1161\u11a8"), local.fn_err) }
output "fr_070" { value = try(length("👨‍👩‍👧‍👦"), local.fn_err) }
output "fr_071" { value = try(length("a\u200db"), local.fn_err) }
output "fr_072" { value = try(strrev("👨‍👩‍👧‍👦x"), local.fn_err) }
output "fr_073" { value = try(length("\r\n\r\n"), local.fn_err) }
output "fr_074" { value = try(length("\u0600a"), local.fn_err) }
output "fr_075" { value = try(length("🏳️‍🌈"), local.fn_err) }
output "fr_076" { value = try(sort(["b", "B", "a", "A", "_", "1"]), local.fn_err) }
output "fr_077" { value = try(keys({ "b" = 1, "B" = 2, "é" = 3, "e" = 4 }), local.fn_err) }
output "fr_078" { value = try(reverse(toset(["b", "a", "c"])), local.fn_err) }
output "fr_079" { value = try(chunklist(toset(["b", "a", "c"]), 2), local.fn_err) }
output "fr_080" { value = try(slice(toset(["a", "b"]), 0, 1), local.fn_err) }
output "fr_081" { value = try(element(toset(["b", "a"]), 0), local.fn_err) }
output "fr_082" { value = try(index(toset(["b", "a"]), "b"), local.fn_err) }
output "fr_083" { value = try(lookup({ a = "x" }, "a", 1), local.fn_err) }
output "fr_084" { value = try(merge({ a = 1 }, { b = "x" }), local.fn_err) }
output "fr_085" { value = try(merge({ a = [1] }, { a = "s" }), local.fn_err) }
output "fr_086" { value = try(zipmap(["b", "a"], [[1], "x"]), local.fn_err) }
output "fr_087" { value = try(flatten([[[1, 2], [3]], [[4]]]), local.fn_err) }
output "fr_088" { value = try(flatten([null, [null]]), local.fn_err) }
output "fr_089" { value = try(distinct([null, null, 1]), local.fn_err) }
output "fr_090" { value = try(compact([null]), local.fn_err) }
output "fr_091" { value = try(concat([1], [[2]]), local.fn_err) }
output "fr_092" { value = try(concat(["a"], null), local.fn_err) }
output "fr_093" { value = try(setunion(["a"], []), local.fn_err) }
output "fr_094" { value = try(setproduct([], ["a"]), local.fn_err) }
output "fr_095" { value = try(setproduct(["a", "a"], ["b"]), local.fn_err) }
output "fr_096" { value = try(setintersection(["a", "a"], ["a"]), local.fn_err) }
output "fr_097" { value = try(range(0, 1, 0.1), local.fn_err) }
output "fr_098" { value = try(range(10, 0, -3), local.fn_err) }
output "fr_099" { value = try(range(1025), local.fn_err) }
output "fr_100" { value = try(range(0, 1024), local.fn_err) }
output "fr_101" { value = try(sum([1, -1, 0.5]), local.fn_err) }
output "fr_102" { value = try(max(1, "2", 3.5), local.fn_err) }
output "fr_103" { value = try(min(-0.5, -1), local.fn_err) }
output "fr_104" { value = try(abs(-0.0), local.fn_err) }
output "fr_105" { value = try(ceil(-0.5), local.fn_err) }
output "fr_106" { value = try(floor(0.999999999), local.fn_err) }
output "fr_107" { value = try(pow(10, 20), local.fn_err) }
output "fr_108" { value = try(pow(2, 0.5), local.fn_err) }
output "fr_109" { value = try(log(2, 8), local.fn_err) }
output "fr_110" { value = try(log(0.5, 2), local.fn_err) }
output "fr_111" { value = try(parseint("7fffffffffffffff", 16), local.fn_err) }
output "fr_112" { value = try(parseint("-0", 10), local.fn_err) }
output "fr_113" { value = try(parseint("FF", 15), local.fn_err) }
output "fr_114" { value = try(parseint("10", 2.0), local.fn_err) }
output "fr_115" { value = try(parseint("١٢", 10), local.fn_err) }
output "fr_116" { value = try(tonumber(".5"), local.fn_err) }
output "fr_117" { value = try(tonumber("5."), local.fn_err) }
output "fr_118" { value = try(tonumber("+5"), local.fn_err) }
output "fr_119" { value = try(tonumber("0b101"), local.fn_err) }
output "fr_120" { value = try(tonumber("Infinity"), local.fn_err) }
output "fr_121" { value = try(tonumber("1_0"), local.fn_err) }
output "fr_122" { value = try(tostring(0.1 + 0.2), local.fn_err) }
output "fr_123" { value = try(tostring(1e100), local.fn_err) }
output "fr_124" { value = try(tobool("false"), local.fn_err) }
output "fr_125" { value = try(tobool(0), local.fn_err) }
output "fr_126" { value = try(tolist({ a = 1 }), local.fn_err) }
output "fr_127" { value = try(tomap({ a = null, b = 1 }), local.fn_err) }
output "fr_128" { value = try(tomap({}), local.fn_err) }
output "fr_129" { value = try(tolist([]), local.fn_err) }
output "fr_130" { value = try(toset([]), local.fn_err) }
output "fr_131" { value = try(cidrsubnets("10.0.0.0/8", 8, 16, 8), local.fn_err) }
output "fr_132" { value = try(cidrsubnets("10.0.0.0/8", 16, 8), local.fn_err) }
output "fr_133" { value = try(cidrsubnet("::/0", 64, 1), local.fn_err) }
output "fr_134" { value = try(cidrhost("::/0", -1), local.fn_err) }
output "fr_135" { value = try(cidrhost("192.168.0.0/32", 0), local.fn_err) }
output "fr_136" { value = try(cidrhost("192.168.0.0/32", 1), local.fn_err) }
output "fr_137" { value = try(cidrhost("192.168.0.0/31", -1), local.fn_err) }
output "fr_138" { value = try(cidrsubnet("10.0.0.0/8", 24, 1), local.fn_err) }
output "fr_139" { value = try(cidrsubnet("10.0.0.0/8", 25, 1), local.fn_err) }
output "fr_140" { value = try(cidrhost("10.0.0.0/8", 16777215), local.fn_err) }
output "fr_141" { value = try(cidrhost("10.0.0.0/8", 16777216), local.fn_err) }
output "fr_142" { value = try(cidrhost(" 10.0.0.0/8", 1), local.fn_err) }
output "fr_143" { value = try(cidrhost("10.0.0.0/08", 1), local.fn_err) }
output "fr_144" { value = try(cidrhost("fe80::1%eth0/64", 1), local.fn_err) }
output "fr_145" { value = try(timeadd("2024-02-28T23:00:00Z", "25h"), local.fn_err) }
output "fr_146" { value = try(timeadd("2024-03-10T01:30:00-05:00", "1h"), local.fn_err) }
output "fr_147" { value = try(timeadd("2024-01-01T00:00:00Z", "-1ns"), local.fn_err) }
output "fr_148" { value = try(timeadd("2024-01-01T00:00:00.123456789Z", "1ns"), local.fn_err) }
output "fr_149" { value = try(timeadd("2024-01-01T00:00:00Z", "1.5µs"), local.fn_err) }
output "fr_150" { value = try(timeadd("2024-01-01T00:00:00Z", "2562047h"), local.fn_err) }
output "fr_151" { value = try(formatdate("DD/MM/YY", "2024-02-29T12:00:00Z"), local.fn_err) }
output "fr_152" { value = try(formatdate("h:mm AA", "2024-02-29T00:05:00Z"), local.fn_err) }
output "fr_153" { value = try(formatdate("YYYY-MM-DD hh:mm:ss", "2024-02-29T12:00:00.999Z"), local.fn_err) }
output "fr_154" { value = try(formatdate("ZZZ", "2024-02-29T12:00:00+00:00"), local.fn_err) }
output "fr_155" { value = try(formatdate("ZZZ", "2024-02-29T12:00:00-00:00"), local.fn_err) }
output "fr_156" { value = try(formatdate("YYYY", "2024-02-30T12:00:00Z"), local.fn_err) }
output "fr_157" { value = try(formatdate("YYYY", "2023-02-29T12:00:00Z"), local.fn_err) }
output "fr_158" { value = try(formatdate("YYYY", "2024-02-29T24:00:00Z"), local.fn_err) }
output "fr_159" { value = try(formatdate("YYYY", "2024-02-29 12:00:00Z"), local.fn_err) }
output "fr_160" { value = try(formatdate("YYYY", "2024-02-29T12:00Z"), local.fn_err) }
output "fr_161" { value = try(formatdate("YYYY", "2024-02-29T12:00:00+0100"), local.fn_err) }
output "fr_162" { value = try(formatdate("YYYY", "2024-02-29T12:00:00+01"), local.fn_err) }
output "fr_163" { value = try(formatdate("YYYY", "+2024-02-29T12:00:00Z"), local.fn_err) }
output "fr_164" { value = try(formatdate("'", "2024-02-29T12:00:00Z"), local.fn_err) }
output "fr_165" { value = try(formatdate("a", "2024-02-29T12:00:00Z"), local.fn_err) }
output "fr_166" { value = try(formatdate("aaa", "2024-02-29T12:00:00Z"), local.fn_err) }
output "fr_167" { value = try(formatdate("", "2024-02-29T12:00:00Z"), local.fn_err) }
output "fr_168" { value = try(formatdate("MMMMMM", "2024-02-29T12:00:00Z"), local.fn_err) }
output "fr_169" { value = try(formatdate("YYYYY", "2024-02-29T12:00:00Z"), local.fn_err) }
output "fr_170" { value = try(formatdate("sss", "2024-02-29T12:00:00Z"), local.fn_err) }
output "fr_171" { value = try(formatdate("mmm", "2024-02-29T12:00:00Z"), local.fn_err) }
output "fr_172" { value = try(formatdate("ZZZZZZ", "2024-02-29T12:00:00Z"), local.fn_err) }
output "fr_173" { value = try(formatdate("EE", "2024-02-29T12:00:00Z"), local.fn_err) }
output "fr_174" { value = try(formatdate("E", "2024-02-29T12:00:00Z"), local.fn_err) }
output "fr_175" { value = try(timecmp("2024-01-01T00:00:00.1Z", "2024-01-01T00:00:00.10Z"), local.fn_err) }
output "fr_176" { value = try(csvdecode("a,b\n1,2"), local.fn_err) }
output "fr_177" { value = try(csvdecode("a,b\n\n\n1,2\n\n"), local.fn_err) }
output "fr_178" { value = try(csvdecode("a\n\"\"\n"), local.fn_err) }
output "fr_179" { value = try(csvdecode("a\n\"x\"\"\"\n"), local.fn_err) }
output "fr_180" { value = try(csvdecode("a,b\n,\n"), local.fn_err) }
output "fr_181" { value = try(csvdecode(",\n1,2\n"), local.fn_err) }
output "fr_182" { value = try(csvdecode("a\r\n\"x\r\ny\"\r\n"), local.fn_err) }
output "fr_183" { value = try(csvdecode("\"a\nb\",c\n1,2\n"), local.fn_err) }
output "fr_184" { value = try(csvdecode("a;b\n1;2\n"), local.fn_err) }
output "fr_185" { value = try(csvdecode("a,b\n1,2\n3\n"), local.fn_err) }
output "fr_186" { value = try(csvdecode("a\n\"x\" \n"), local.fn_err) }
output "fr_187" { value = try(csvdecode("a\n \"x\"\n"), local.fn_err) }
output "fr_188" { value = try(csvdecode("é,ü\n1,2\n"), local.fn_err) }
output "fr_189" { value = try(csvdecode("a\rb,c\n1,2\n"), local.fn_err) }
output "fr_190" { value = try(base64decode(""), local.fn_err) }
output "fr_191" { value = try(base64decode("===="), local.fn_err) }
output "fr_192" { value = try(base64decode("YQ"), local.fn_err) }
output "fr_193" { value = try(base64decode("YQ==YQ=="), local.fn_err) }
output "fr_194" { value = try(base64decode("Y Q=="), local.fn_err) }
output "fr_195" { value = try(base64decode("YQ==\r\n"), local.fn_err) }
output "fr_196" { value = try(base64decode("wyg="), local.fn_err) }
output "fr_197" { value = try(urlencode("~!@#$%^&*()_+-={}[]|\\:;\"'<>,.?/ é"), local.fn_err) }
output "fr_198" { value = try(textencodebase64("", "UTF-16"), local.fn_err) }
output "fr_199" { value = try(textencodebase64("😀", "UTF-16LE"), local.fn_err) }
output "fr_200" { value = try(textdecodebase64("", "UTF-8"), local.fn_err) }
output "fr_201" { value = try(textdecodebase64("//4=", "UTF-16"), local.fn_err) }
output "fr_202" { value = try(textdecodebase64("aGk", "UTF-8"), local.fn_err) }
output "fr_203" { value = try(textencodebase64("Š", "ISO-8859-15"), local.fn_err) }
output "fr_204" { value = try(textencodebase64("¤", "ISO-8859-15"), local.fn_err) }
output "fr_205" { value = try(textencodebase64("x", "utf-8"), local.fn_err) }
output "fr_206" { value = try(textencodebase64("x", "Latin1"), local.fn_err) }
output "fr_207" { value = try(uuidv5("url", ""), local.fn_err) }
output "fr_208" { value = try(uuidv5("DNS", "x"), local.fn_err) }
output "fr_209" { value = try(uuidv5("6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "x"), local.fn_err) }
output "fr_210" { value = try(uuidv5("{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", "x"), local.fn_err) }
output "fr_211" { value = try(uuidv5("6ba7b8109dad11d180b400c04fd430c8", "x"), local.fn_err) }
output "fr_212" { value = try(uuidv5("urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8", "x"), local.fn_err) }
output "fr_213" { value = try(md5(""), local.fn_err) }
output "fr_214" { value = try(sha1("é"), local.fn_err) }
output "fr_215" { value = try(sha512(""), local.fn_err) }
output "fr_216" { value = try(base64sha256(""), local.fn_err) }
output "fr_217" { value = try(basename("a/b/"), local.fn_err) }
output "fr_218" { value = try(basename("/a"), local.fn_err) }
output "fr_219" { value = try(dirname("a/b/"), local.fn_err) }
output "fr_220" { value = try(dirname("../a"), local.fn_err) }
output "fr_221" { value = try(dirname("../../a/b"), local.fn_err) }
output "fr_222" { value = try(dirname("/../a"), local.fn_err) }
output "fr_223" { value = try(dirname("./a"), local.fn_err) }
output "fr_224" { value = try(dirname("a/../.."), local.fn_err) }
output "fr_225" { value = try(abspath("a/../..") == dirname(abspath(".")), local.fn_err) }
output "fr_226" { value = try(pathexpand("~") != "~", local.fn_err) }
output "fr_227" { value = try(pathexpand("~/x") == "${pathexpand("~")}/x", local.fn_err) }
output "fr_228" { value = try(pathexpand("~~"), local.fn_err) }

output "fr_year_10000" { value = try(timeadd("9999-12-31T23:59:59Z", "1s"), local.fn_err) }

# yamldecode: YAML 1.1 scalars, merges, tags
output "fd_001" { value = try(yamldecode("a: 1\nb: [x, y]\nc:\n  d: e\n"), local.fn_err) }
output "fd_002" { value = try(yamldecode("base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n"), local.fn_err) }
output "fd_003" { value = try(yamldecode("yes"), local.fn_err) }
output "fd_004" { value = try(yamldecode("on"), local.fn_err) }
output "fd_005" { value = try(yamldecode("'yes'"), local.fn_err) }
output "fd_006" { value = try(yamldecode("\"on\""), local.fn_err) }
output "fd_007" { value = try(yamldecode("[y, n, Y, N, yes, no, on, off, YES, Off, 'y', \"n\"]"), local.fn_err) }
output "fd_008" { value = try(yamldecode("2001-12-14"), local.fn_err) }
output "fd_009" { value = try(yamldecode("- 1.5\n- -0\n- 1e3\n- 012\n"), local.fn_err) }
output "fd_010" { value = try(yamldecode("1_000"), local.fn_err) }
output "fd_011" { value = try(yamldecode("0x1f"), local.fn_err) }
output "fd_012" { value = try(yamldecode("0o17"), local.fn_err) }
output "fd_013" { value = try(yamldecode("+12"), local.fn_err) }
output "fd_014" { value = try(yamldecode(".5"), local.fn_err) }
output "fd_015" { value = try(yamldecode("1."), local.fn_err) }
output "fd_016" { value = try(yamldecode("1e3"), local.fn_err) }
output "fd_017" { value = try(yamldecode("1E3"), local.fn_err) }
output "fd_018" { value = try(yamldecode("1.0e+3"), local.fn_err) }
output "fd_019" { value = try(yamldecode("12:30"), local.fn_err) }
output "fd_020" { value = try(yamldecode("2001-12-14t21:59:43.10-05:00"), local.fn_err) }
output "fd_021" { value = try(yamldecode("2001-12-14 21:59:43.10"), local.fn_err) }
output "fd_022" { value = try(yamldecode("2001-12-14T21:59:43Z"), local.fn_err) }
output "fd_023" { value = try(yamldecode("2001-13-14"), local.fn_err) }
output "fd_024" { value = try(yamldecode("!!str yes"), local.fn_err) }
output "fd_025" { value = try(yamldecode("!!str 123"), local.fn_err) }
output "fd_026" { value = try(yamldecode("a: !!str 2001-12-14"), local.fn_err) }
output "fd_027" { value = try(yamldecode("{y: 1, n: 2, 1: 3, true: 4, null: 5, ~: 6, 1.5: 7}"), local.fn_err) }
output "fd_028" { value = try(yamldecode("a: &x [1, 2]\nb: *x\n"), local.fn_err) }
output "fd_029" { value = try(yamldecode("m1: &m1 {a: 1, b: 1}\nm2: &m2 {b: 2, c: 2}\nr:\n  <<: [*m1, *m2]\n  c: 3\n"), local.fn_err) }
output "fd_030" { value = try(yamldecode("r:\n  a: 0\n  <<: {a: 1, z: 9}\n"), local.fn_err) }
output "fd_031" { value = try(yamldecode("a: yes please"), local.fn_err) }
output "fd_032" { value = try(yamldecode("a: \"yes\"\nb: 'no'\nc: no\n"), local.fn_err) }
output "fd_033" { value = try(yamldecode("- |\n  yes\n- >\n  on\n"), local.fn_err) }
output "fd_034" { value = try(yamldecode("x: ~\ny: null\nz:\n"), local.fn_err) }
output "fd_035" { value = try(yamldecode("a:\n  - on\n  - [off, 'on']\n"), local.fn_err) }
output "fd_036" { value = try(yamldecode("- 1_0.5"), local.fn_err) }
output "fd_037" { value = try(yamldecode("- 0.1_5"), local.fn_err) }
output "fd_038" { value = try(yamldecode("- _1"), local.fn_err) }
output "fd_039" { value = try(yamldecode("- 1__0"), local.fn_err) }
output "fd_040" { value = try(yamldecode("- 00"), local.fn_err) }
output "fd_041" { value = try(yamldecode("- 0777"), local.fn_err) }
output "fd_042" { value = try(yamldecode("- .NaN"), local.fn_err) }
output "fd_043" { value = try(yamldecode("key: value # comment\n"), local.fn_err) }
output "fd_044" { value = try(yamldecode("a: b\n---\n"), local.fn_err) }
output "fd_045" { value = try(yamldecode("--- yes\n"), local.fn_err) }
output "fd_046" { value = try(yamldecode("a: 'it''s'\nb: \"q\\\"x\"\n"), local.fn_err) }
output "fd_047" { value = try(yamldecode("multi: this is\n  folded plain\n"), local.fn_err) }
output "fd_048" { value = try(yamldecode("? complex\n: value\n"), local.fn_err) }
output "fd_049" { value = try(yamldecode("[a, 'b', \"c\", yes, 'yes']"), local.fn_err) }
output "fd_050" { value = try(yamldecode("{a: yes, 'b': no}"), local.fn_err) }
output "fd_051" { value = try(yamldecode("a:    y\nb:\ty\n"), local.fn_err) }

# nondeterministic functions: shape only
output "fx_uuid" { value = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", uuid())) }
output "fx_bcrypt" { value = [length(bcrypt("x")), substr(bcrypt("x"), 0, 7), substr(bcrypt("x", 5), 0, 7), substr(bcrypt("x", 3), 0, 7), try(bcrypt("x", 32), local.fn_err), try(bcrypt(join("", [for i in range(73) : "a"])), local.fn_err)] }
output "fx_timestamps" { value = [can(regex("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$", timestamp())), can(regex("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$", plantimestamp()))] }
# fnfiles/rsa1.pem (PKCS #1) and rsa8.pem (PKCS #8) are one throwaway 1024-bit key made for this test;
# the ciphertext is "secret message" encrypted to it with PKCS #1 v1.5 padding.
output "fx_rsadecrypt" { value = [rsadecrypt("dOjqg/YOGYNMS9ZvTcLBAdQqOl3Naw64VycYNq/fyzo8KmZginJJAI6VpaCNg7DUApp63SXCITVw7CFA+SAJVJOwzrGzRbrPD50mDufk1gHpNL+YV4SIPOdNiNRmikv/Gufk4aWA9i31uEfDSmX6fnWxE+TZ1o4AHrjgnBQcgqM=", file("fnfiles/rsa1.pem")), rsadecrypt("dOjqg/YOGYNMS9ZvTcLBAdQqOl3Naw64VycYNq/fyzo8KmZginJJAI6VpaCNg7DUApp63SXCITVw7CFA+SAJVJOwzrGzRbrPD50mDufk1gHpNL+YV4SIPOdNiNRmikv/Gufk4aWA9i31uEfDSmX6fnWxE+TZ1o4AHrjgnBQcgqM=", file("fnfiles/rsa8.pem")), try(rsadecrypt("dOjqg/YOGYNMS9ZvTcLBAdQqOl3Naw64VycYNq/fyzo8KmZginJJAI6VpaCNg7DUApp63SXCITVw7CFA+SAJVJOwzrGzRbrPD50mDufk1gHpNL+YV4SIPOdNiNRmikv/Gufk4aWA9i31uEfDSmX6fnWxE+TZ1o4AHrjgnBQcgqM=", "nope"), local.fn_err), try(rsadecrypt("!!", file("fnfiles/rsa1.pem")), local.fn_err), try(rsadecrypt(base64encode("x"), file("fnfiles/rsa1.pem")), local.fn_err)] }
output "fx_base64gzip_len" { value = substr(base64gzip("hello"), 0, 10) }
output "fx_sensitive" {
  value     = [issensitive(local.fn_secret), issensitive([local.fn_secret]), issensitive(upper(local.fn_secret)), issensitive("x"), nonsensitive(local.fn_secret)]
}

# provider::terraform functions
output "fp_a" { value = provider::terraform::encode_tfvars({ a = "x", bbb = [1, 2], c = { d = true, "e f" = null, long_key = [] }, e = {}, "x-y" = "q\"\n$${a}%%{b}", n = 1.5, z = tolist([]) }) }
output "fp_a2" { value = provider::terraform::encode_tfvars({ a = [{ x = 1 }, "s"] }) }
output "fp_b" { value = provider::terraform::decode_tfvars("a = 1\nb = \"x\"\nc = [1, true, null]\nd = { x = 1 }\n") }
output "fp_b2" { value = try(provider::terraform::decode_tfvars("a = var.x"), "ERR") }
output "fp_b3" { value = try(provider::terraform::decode_tfvars("a = upper(\"x\")"), "ERR") }
output "fp_b4" { value = try(provider::terraform::decode_tfvars("a = 1 + 2"), "ERR") }
output "fp_b5" { value = try(provider::terraform::decode_tfvars("a = \"$${x}\""), "ERR") }
output "fp_c" { value = provider::terraform::encode_expr({ a = "x", bb = [1, 2], c = null }) }
output "fp_c2" { value = provider::terraform::encode_expr("s") }
output "fp_c3" { value = provider::terraform::encode_expr([]) }
output "fp_c4" { value = provider::terraform::encode_expr({}) }
output "fp_c5" { value = provider::terraform::encode_expr([{ a = 1 }, [2, [3]]]) }
output "fp_c6" { value = provider::terraform::encode_expr(toset(["b", "a"])) }
output "fp_c7" { value = provider::terraform::encode_expr(1e21) }
output "fp_c8" { value = try(provider::terraform::encode_tfvars("x"), "ERR") }
output "fp_c9" { value = try(provider::terraform::encode_tfvars(null), "ERR") }
