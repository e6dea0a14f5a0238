# A static site in S3: a bucket with versioning, and every file under site/ uploaded as an
# object with the right content type (fileset + for_each).
#
# Against moto:  skyform apply -var endpoint=http://127.0.0.1:5000 -auto-approve
# Against AWS:   skyform apply -var bucket_name=my-unique-site-name   (credentials from your
#                environment or profile; leave `endpoint` unset)

variable "bucket_name" {
  type    = string
  default = "skyform-static-site-example"
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "versioning" {
  type        = string
  default     = "Enabled"
  description = "Enabled, Suspended or Disabled (moto 5.2.5 cannot empty a versioned bucket on destroy)."
}

variable "endpoint" {
  type        = string
  default     = null
  description = "An S3 endpoint to use instead of AWS (moto, LocalStack)."
}

locals {
  emulated = var.endpoint != null
  content_types = {
    html = "text/html"
    css  = "text/css"
    js   = "application/javascript"
    txt  = "text/plain"
    svg  = "image/svg+xml"
  }
}

provider "aws" {
  region = var.region
  # Emulators take any key; against AWS these stay null and the standard chain is used.
  access_key        = local.emulated ? "test" : null
  secret_key        = local.emulated ? "test" : null
  s3_use_path_style = local.emulated
  endpoints {
    s3 = var.endpoint
  }
  default_tags {
    tags = { project = "aws-static-site", managed = "skyform" }
  }
}

resource "aws_s3_bucket" "site" {
  bucket        = var.bucket_name
  force_destroy = true
}

resource "aws_s3_bucket_versioning" "site" {
  bucket = aws_s3_bucket.site.id
  versioning_configuration {
    status = var.versioning
  }
}

resource "aws_s3_object" "file" {
  for_each      = fileset("${path.module}/site", "**")
  bucket        = aws_s3_bucket.site.id
  key           = each.value
  source        = "${path.module}/site/${each.value}"
  content_type  = lookup(local.content_types, reverse(split(".", each.value))[0], "binary/octet-stream")
  cache_control = "max-age=300"

  # Objects are written after versioning is on, and deleted before it is suspended.
  depends_on = [aws_s3_bucket_versioning.site]
}

output "bucket" {
  value = aws_s3_bucket.site.bucket
}

output "files" {
  value = sort(keys(aws_s3_object.file))
}
