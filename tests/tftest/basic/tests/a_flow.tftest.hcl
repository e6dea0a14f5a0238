variables {
  name = "world"
}

run "setup" {
  module {
    source = "./setup"
  }
}

run "plan_only" {
  command = plan

  assert {
    condition     = terraform_data.a.input == "hello-world"
    error_message = "Wrong planned input: ${terraform_data.a.input}."
  }
  assert {
    condition     = local.greeting == "hello-world"
    error_message = "Wrong local."
  }
}

run "applied" {
  assert {
    condition     = output.greeting == "hello-world"
    error_message = "Wrong greeting."
  }
  assert {
    condition     = output.doubled == 2
    error_message = "Wrong double."
  }
}

run "from_earlier_runs" {
  variables {
    name = "${run.setup.seed}-${length(run.applied.greeting)}"
  }

  assert {
    condition     = output.greeting == "hello-seed-11"
    error_message = "Got ${output.greeting}."
  }
}

run "wrong_assertion" {
  assert {
    condition     = output.greeting == "nope"
    error_message = "Greeting was ${output.greeting}."
  }
}

run "bad_name_expected" {
  command = plan

  variables {
    name = "ab"
  }

  expect_failures = [var.name]
}

run "postcondition_expected" {
  variables {
    size = 7
  }

  expect_failures = [terraform_data.sized]
}

run "check_expected" {
  command = plan

  variables {
    name = "a-rather-long-name"
  }

  expect_failures = [check.short]
}

run "back_to_normal" {
  assert {
    condition     = terraform_data.sized.output == 1
    error_message = "Size not restored."
  }
}
