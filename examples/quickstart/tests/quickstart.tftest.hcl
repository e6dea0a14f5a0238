# `skyform test` (or `terraform test`) from examples/quickstart: plans and applies the
# quickstart with test variables, checks what it made, and destroys it again at the end.

variables {
  project      = "test-project"
  environments = ["dev"]
}

run "plans_one_env_file_per_environment" {
  command = plan

  assert {
    condition     = length(local_file.env) == 1
    error_message = "Expected one env file, got ${length(local_file.env)}."
  }
  assert {
    condition     = local_file.page["index"].filename == "./out/index.html"
    error_message = "The index page goes to ${local_file.page["index"].filename}."
  }
}

run "applies" {
  assert {
    condition     = length(output.suffix) == 8
    error_message = "random_id with byte_length 4 has 8 hex digits, not ${output.suffix}."
  }
  assert {
    condition     = strcontains(file(output.env_files[0]), "test-project")
    error_message = "The env file does not name the project."
  }
  assert {
    condition     = output.release.release == "v1"
    error_message = "Wrong release."
  }
}

run "a_new_release_replaces_only_the_release" {
  variables {
    release = "v2"
  }

  assert {
    condition     = output.release.release == "v2"
    error_message = "The release did not change."
  }
  assert {
    condition     = output.suffix == run.applies.suffix
    error_message = "The random suffix changed with the release."
  }
}

run "short_project_names_are_refused" {
  command = plan

  variables {
    project = "ab"
  }

  expect_failures = [var.project]
}
