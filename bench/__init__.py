"""Benchmark byoc-toolkit's serving and training side by side with the peers a user would pick.

Run it with ``bench/run`` (see bench/README.md); ``python -m bench --help`` lists the flags.
"""
