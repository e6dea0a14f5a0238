# A small but real configuration that plans and applies offline: variables with validation,
# locals, count and for_each, a random_id, local files rendered from templates, and a
# terraform_data whose replacement is triggered by the release variable.

terraform {
  required_version = ">= 1.0"
}

variable "project" {
  type        = string
  default     = "skyform-demo"
  description = "Project name, used in file contents and tags."

  validation {
    condition     = length(var.project) >= 3
    error_message = "The project name must be at least 3 characters long."
  }
}

variable "environments" {
  type        = list(string)
  default     = ["dev", "staging"]
  description = "One env file is written per environment."
}

variable "pages" {
  type = map(string)
  default = {
    index = "Welcome"
    about = "About us"
  }
  description = "Page name => title; one HTML file per page."
}

variable "release" {
  type        = string
  default     = "v1"
  description = "Changing the release replaces terraform_data.release."
}

locals {
  out_dir = "${path.module}/out"
  common_tags = {
    project = var.project
    managed = "skyform"
  }
}

resource "random_id" "suffix" {
  byte_length = 4
  keepers = {
    project = var.project
  }
}

resource "local_file" "env" {
  count    = length(var.environments)
  filename = "${local.out_dir}/env-${var.environments[count.index]}.txt"
  content = templatefile("${path.module}/templates/env.tftpl", {
    name    = var.environments[count.index]
    project = var.project
    suffix  = random_id.suffix.hex
  })
}

resource "local_file" "page" {
  for_each = var.pages
  filename = "${local.out_dir}/${each.key}.html"
  content = templatefile("${path.module}/templates/page.html.tftpl", {
    title = each.value
    tags  = local.common_tags
  })
}

resource "terraform_data" "release" {
  input = {
    release = var.release
    pages   = sort([for p in local_file.page : p.filename])
  }
  triggers_replace = [var.release]
}

output "suffix" {
  value       = random_id.suffix.hex
  description = "The random suffix shared by the env files."
}

output "env_files" {
  value = local_file.env[*].filename
}

output "page_ids" {
  value = { for name, f in local_file.page : name => f.id }
}

output "release" {
  value = terraform_data.release.output
}
