"""Where the tests find the repository, the example and the test programs."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_DIR = REPO / "examples" / "decision_trees"
EXAMPLE_PROGRAM = EXAMPLE_DIR / "decision_trees.py"
EXAMPLE_TEST_DIR = EXAMPLE_DIR / "local_test" / "test_dir"
PAYLOAD_CSV = EXAMPLE_DIR / "local_test" / "payload.csv"
TRAINING_DATA = EXAMPLE_TEST_DIR / "input" / "data" / "training"
FOREST_DIR = REPO / "examples" / "decision_forest"
FOREST_PROGRAM = FOREST_DIR / "decision_forest.py"
PROGRAMS = REPO / "tests" / "programs"
MPI_IMAGE_DIR = REPO / "tests" / "images" / "mpi"
