"""``byoc check``: an image against SageMaker's container contract, clause by clause."""
