# The configuration `tests/test_skyform_test.rs` runs `terraform test` and `skyform test` on:
# variables with validation, a postcondition, an output precondition and a check block, so
# every kind of run outcome (pass, failed assertion, expected and missing failures, unknown
# condition, skip) shows in one run of each tool.

variable "name" {
  type = string
  validation {
    condition     = length(var.name) > 2
    error_message = "The name must be longer than two characters."
  }
}

variable "size" {
  type    = number
  default = 1
}

locals {
  greeting = "hello-${var.name}"
}

resource "terraform_data" "a" {
  input = local.greeting
}

resource "terraform_data" "sized" {
  input = var.size
  lifecycle {
    postcondition {
      condition     = self.output < 5
      error_message = "Too big."
    }
  }
}

output "greeting" {
  value = terraform_data.a.output
}

output "doubled" {
  value = var.size * 2
  precondition {
    condition     = var.size != 3
    error_message = "Three is not allowed."
  }
}

check "short" {
  assert {
    condition     = length(var.name) < 12
    error_message = "The name is long."
  }
}
