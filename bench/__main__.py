"""``python -m bench``: run the benchmark (bench/run sets up the venv first)."""

from .cli import main

raise SystemExit(main())
