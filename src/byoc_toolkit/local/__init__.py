"""``byoc local``: SageMaker's job lifecycle on this machine, with or without Docker."""
