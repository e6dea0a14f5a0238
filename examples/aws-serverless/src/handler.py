import json
import os


def handler(event, context):
    # The secret's ARN comes from the environment; reading it needs secretsmanager:GetSecretValue.
    return {"statusCode": 200, "body": json.dumps({"secret": os.environ["SECRET_ARN"], "event": event})}
