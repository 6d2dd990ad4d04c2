"""The boto3 implementations of the ports: DynamoDB, S3, S3 Vectors, EventBridge, Step Functions,
Cognito (clients with one retry policy; AWS errors turned into domain errors)."""
