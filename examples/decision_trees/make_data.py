"""Write the example's data from scikit-learn's bundled iris copy.

iris.csv: 150 rows, the species name first, then the four features, no header (the layout of
the classic scikit_bring_your_own example). payload.csv: the features of every fifth row, 29
rows, for the serving test. Run it again to regenerate both; the output is deterministic.
"""

from pathlib import Path

from sklearn.datasets import load_iris

HERE = Path(__file__).resolve().parent
TRAINING_CSV = HERE / "local_test" / "test_dir" / "input" / "data" / "training" / "iris.csv"
PAYLOAD_CSV = HERE / "local_test" / "payload.csv"
PAYLOAD_ROWS = 29


def main() -> None:
    iris = load_iris()
    rows = [(iris.target_names[t], *(f"{v:g}" for v in x))
            for x, t in zip(iris.data, iris.target, strict=True)]
    TRAINING_CSV.parent.mkdir(parents=True, exist_ok=True)
    TRAINING_CSV.write_text("".join(",".join(r) + "\n" for r in rows))
    payload = rows[::5][:PAYLOAD_ROWS]
    PAYLOAD_CSV.write_text("".join(",".join(r[1:]) + "\n" for r in payload))


if __name__ == "__main__":
    main()
