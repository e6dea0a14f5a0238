# A badly formatted file: `terraform fmt` and `skyform fmt` must produce the same text.
variable "a" {
type = string
    default="x"   # trailing comment
  description =   "d"
}

locals {
  short = 1
  much_longer_name = "two"
  list = [1,2,
  3]
  obj = {
    k = "v"
      longer_key = {
    nested=true
    }
  }
  cond = var.a=="x"?1:2
  tpl = "${var.a}-%{if true}y%{endif}"
}

resource "terraform_data" "x" {
  count=2
  input = {
    a   = local.short
    bb = [for s in local.list: s*2 if s>1]
  }
  lifecycle {
  ignore_changes = [input]
  }
}

resource   "terraform_data"   "y"   {
  depends_on=[terraform_data.x]

  triggers_replace = local.obj
  input = <<-EOT
      heredoc ${var.a}
    EOT
}
output "o" {
      value = terraform_data.x[*].id
  }
