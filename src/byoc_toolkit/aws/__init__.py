"""The AWS side of the developer loop: ECR repositories and logins, SageMaker training jobs
and endpoints. boto3 is imported only when a function here is called."""
