# Unit tests of the serverless example with a mocked AWS provider: no cloud, no emulator,
# no credentials. The mock keeps the configuration's values and makes up the computed ones
# (or takes them from `defaults`); `override_resource` pins one resource's values.

mock_provider "aws" {
  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:eu-west-1:123456789012:alerts"
    }
  }
}

override_resource {
  target = aws_iam_role.function
  values = {
    arn = "arn:aws:iam::123456789012:role/hello"
  }
}

run "plans_two_weeks_of_logs" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_group.function.retention_in_days == 14
    error_message = "Logs are kept ${aws_cloudwatch_log_group.function.retention_in_days} days."
  }
}

run "alarm_notifies_the_topic" {
  assert {
    condition     = output.function_name == "hello-${random_pet.name.id}"
    error_message = "The function is not named after the pet."
  }
  assert {
    condition     = output.topic_arn == "arn:aws:sns:eu-west-1:123456789012:alerts"
    error_message = "Unexpected topic ${output.topic_arn}."
  }
  assert {
    condition     = contains(aws_cloudwatch_metric_alarm.errors.alarm_actions, output.topic_arn)
    error_message = "The alarm does not notify the topic."
  }
  assert {
    condition     = aws_lambda_function.hello.role == "arn:aws:iam::123456789012:role/hello"
    error_message = "The function does not use the role."
  }
}

run "retention_is_configurable" {
  command = plan

  variables {
    log_retention_days = 30
  }

  assert {
    condition     = aws_cloudwatch_log_group.function.retention_in_days == 30
    error_message = "The retention variable is not used."
  }
}
