run "a_failing_check_fails_the_run" {
  command = plan

  variables {
    name = "a-rather-long-name"
  }
}

run "skipped" {
  command = plan

  variables {
    name = "world"
  }
}
