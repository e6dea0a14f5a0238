variables {
  name = "world"
}

run "output_failure_while_planning_an_apply" {
  variables {
    size = 3
  }

  expect_failures = [output.doubled]
}

run "skipped_after_an_error" {
  command = plan
}
