"""Helpers the tests share (importable as ``support.*``); fixtures live in the conftest files."""
