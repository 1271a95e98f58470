"""The AWS side of the developer loop: ECR repositories and logins; SageMaker models,
endpoints, training, tuning and transform jobs, and endpoint autoscaling, as requests built
from typed data (api_calls) that session.AwsApi sends; following a job and its log. boto3 is
imported only when a call is sent."""
