# A replicated artifact store: every file under artifacts/ published to an S3 bucket, an
# Azure Blob Storage container and a Google Cloud Storage bucket, in one plan.
#
# Against the local emulators (what scripts/test does):
#   skyform apply -auto-approve \
#     -var name=demo-artifacts \
#     -var aws_endpoint=http://127.0.0.1:5000 \
#     -var azure_blob_endpoint=http://127.0.0.1:10000/devstoreaccount1 \
#     -var azure_access_key=<Azurite's well-known key> \
#     -var gcs_endpoint=http://127.0.0.1:9023/storage/v1/
# Against the real clouds: set name (globally unique), azure_storage_account, gcp_project,
# and leave the endpoints unset (credentials come from each cloud's usual environment).

variable "name" {
  type        = string
  default     = "skyform-artifacts-example"
  description = "Bucket and container name, the same in all three clouds."
}

variable "aws_region" {
  type    = string
  default = "eu-west-1"
}

variable "aws_endpoint" {
  type        = string
  default     = null
  description = "An S3 endpoint to use instead of AWS (moto)."
}

variable "azure_storage_account" {
  type    = string
  default = "devstoreaccount1"
}

variable "azure_blob_endpoint" {
  type        = string
  default     = null
  description = "A blob endpoint to use instead of https://ACCOUNT.blob.core.windows.net (Azurite)."
}

variable "azure_access_key" {
  type        = string
  default     = null
  sensitive   = true
  description = "The storage account key (or set ARM_ACCESS_KEY)."
}

variable "gcp_project" {
  type    = string
  default = "skyform-example"
}

variable "gcs_endpoint" {
  type        = string
  default     = null
  description = "A Cloud Storage JSON API endpoint to use instead of Google's (gcp-storage-emulator)."
}

locals {
  files = fileset("${path.module}/artifacts", "**")
  content_types = {
    json = "application/json"
    sh   = "text/x-shellscript"
    txt  = "text/plain"
  }
  content_type = { for f in local.files : f => lookup(local.content_types, reverse(split(".", f))[0], "application/octet-stream") }
  s3_base      = var.aws_endpoint != null ? "${var.aws_endpoint}/${var.name}" : "https://${var.name}.s3.${var.aws_region}.amazonaws.com"
}

provider "aws" {
  region = var.aws_region
  # Emulators take any key; against AWS these stay null and the standard chain is used.
  access_key        = var.aws_endpoint != null ? "test" : null
  secret_key        = var.aws_endpoint != null ? "test" : null
  s3_use_path_style = var.aws_endpoint != null
  endpoints {
    s3 = var.aws_endpoint
  }
}

provider "azurerm" {
  features {}
  access_key    = var.azure_access_key
  blob_endpoint = var.azure_blob_endpoint
}

provider "google" {
  project                 = var.gcp_project
  storage_custom_endpoint = var.gcs_endpoint
}

# --- AWS ---------------------------------------------------------------------------------

resource "aws_s3_bucket" "store" {
  bucket        = var.name
  force_destroy = true
}

resource "aws_s3_object" "artifact" {
  for_each     = local.files
  bucket       = aws_s3_bucket.store.id
  key          = each.value
  source       = "${path.module}/artifacts/${each.value}"
  content_type = local.content_type[each.value]
}

# --- Azure -------------------------------------------------------------------------------

resource "azurerm_storage_container" "store" {
  name                  = var.name
  storage_account_name  = var.azure_storage_account
  container_access_type = "private"
}

resource "azurerm_storage_blob" "artifact" {
  for_each               = local.files
  name                   = each.value
  storage_account_name   = var.azure_storage_account
  storage_container_name = azurerm_storage_container.store.name
  type                   = "Block"
  source                 = "${path.module}/artifacts/${each.value}"
  content_type           = local.content_type[each.value]
}

# --- Google Cloud ------------------------------------------------------------------------

resource "google_storage_bucket" "store" {
  name                        = var.name
  location                    = "US"
  force_destroy               = true
  uniform_bucket_level_access = true
}

resource "google_storage_bucket_object" "artifact" {
  for_each     = local.files
  name         = each.value
  bucket       = google_storage_bucket.store.name
  source       = "${path.module}/artifacts/${each.value}"
  content_type = local.content_type[each.value]
}

# --- Where each copy lives ---------------------------------------------------------------

output "s3_urls" {
  value = { for f, o in aws_s3_object.artifact : f => "${local.s3_base}/${o.key}" }
}

output "azure_urls" {
  value = { for f, b in azurerm_storage_blob.artifact : f => b.url }
}

output "gcs_urls" {
  value = { for f, o in google_storage_bucket_object.artifact : f => o.media_link }
}
