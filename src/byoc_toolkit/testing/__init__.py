"""Helpers for testing SageMaker containers built with byoc-toolkit."""
