# Unit tests of the static site example with a mocked AWS provider: one object per file under
# site/, each with the right content type, checked without a cloud or an emulator.

mock_provider "aws" {}

variables {
  bucket_name = "example-site"
}

run "one_object_per_file_with_its_content_type" {
  command = plan

  assert {
    condition     = toset(keys(aws_s3_object.file)) == toset(["index.html", "style.css"])
    error_message = "Unexpected objects: ${join(", ", keys(aws_s3_object.file))}."
  }
  assert {
    condition     = aws_s3_object.file["index.html"].content_type == "text/html" && aws_s3_object.file["style.css"].content_type == "text/css"
    error_message = "Wrong content types."
  }
}

run "the_bucket_is_versioned_by_default" {
  assert {
    condition     = alltrue([for o in aws_s3_object.file : o.bucket == aws_s3_bucket.site.id])
    error_message = "The objects are not in the site bucket."
  }
  assert {
    condition     = aws_s3_bucket_versioning.site.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning is ${aws_s3_bucket_versioning.site.versioning_configuration[0].status}."
  }
  assert {
    condition     = output.bucket == "example-site"
    error_message = "The bucket output is ${output.bucket}."
  }
}
