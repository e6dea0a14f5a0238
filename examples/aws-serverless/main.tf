# A serverless function with what it needs around it: an IAM role with an inline policy, a log
# group, a secret (a generated password) it may read, an SNS topic for alerts, and an alarm on
# the function's errors that notifies the topic. Names carry a random pet name, so several
# copies can live in one account.
#
# Against moto:  skyform apply -var endpoint=http://127.0.0.1:5000 -auto-approve
# Against AWS:   skyform apply

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "endpoint" {
  type        = string
  default     = null
  description = "An endpoint to use instead of AWS for every service (moto, LocalStack)."
}

variable "log_retention_days" {
  type    = number
  default = 14
}

locals {
  emulated = var.endpoint != null
  name     = "hello-${random_pet.name.id}"
}

provider "aws" {
  region                      = var.region
  access_key                  = local.emulated ? "test" : null
  secret_key                  = local.emulated ? "test" : null
  skip_credentials_validation = local.emulated
  endpoints {
    iam            = var.endpoint
    sts            = var.endpoint
    lambda         = var.endpoint
    logs           = var.endpoint
    cloudwatch     = var.endpoint
    sns            = var.endpoint
    secretsmanager = var.endpoint
  }
  default_tags {
    tags = { project = "aws-serverless", managed = "skyform" }
  }
}

resource "random_pet" "name" {
  length = 2
}

resource "random_password" "api_key" {
  length  = 32
  special = false
}

resource "aws_secretsmanager_secret" "api_key" {
  name                    = "${local.name}-api-key"
  recovery_window_in_days = 0
}

resource "aws_secretsmanager_secret_version" "api_key" {
  secret_id     = aws_secretsmanager_secret.api_key.id
  secret_string = random_password.api_key.result
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "function" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }
  statement {
    sid       = "Secret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.api_key.arn]
  }
}

resource "aws_iam_role" "function" {
  name               = local.name
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "function" {
  name   = "logs-and-secret"
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.function.json
}

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${local.name}"
  retention_in_days = var.log_retention_days
}

data "archive_file" "code" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/function.zip"
}

resource "aws_lambda_function" "hello" {
  function_name    = local.name
  role             = aws_iam_role.function.arn
  runtime          = "python3.12"
  handler          = "handler.handler"
  filename         = data.archive_file.code.output_path
  source_code_hash = data.archive_file.code.output_base64sha256
  timeout          = 10
  environment {
    variables = { SECRET_ARN = aws_secretsmanager_secret.api_key.arn }
  }
  depends_on = [aws_iam_role_policy.function, aws_cloudwatch_log_group.function]
}

resource "aws_sns_topic" "alerts" {
  name = "${local.name}-alerts"
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "${local.name}-errors"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.hello.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  treat_missing_data  = "notBreaching"
}

output "function_name" {
  value = aws_lambda_function.hello.function_name
}

output "topic_arn" {
  value = aws_sns_topic.alerts.arn
}

output "secret_arn" {
  value = aws_secretsmanager_secret.api_key.arn
}
