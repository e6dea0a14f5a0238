variables {
  name = "world"
}

run "unknown_in_plan" {
  command = plan

  assert {
    condition     = terraform_data.a.output == "x"
    error_message = "Not known yet."
  }
}

run "skipped" {
  command = plan
}
