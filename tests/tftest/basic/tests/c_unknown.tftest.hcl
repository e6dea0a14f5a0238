variables {
  name = "world"
}

run "missing_expected_failure" {
  command = plan

  expect_failures = [var.name]
}

run "skipped" {
  command = plan
}
