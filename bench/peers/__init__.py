"""Code that runs in the peer stacks' own processes (servers, training script), not the harness.

Each module is also importable on its own (gunicorn and multi-model-server load them by file path),
so none of them imports from the ``bench`` package.
"""
