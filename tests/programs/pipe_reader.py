"""Reads a Pipe-mode channel epoch by epoch and records the bytes and lines of each."""

import json

from byoc_toolkit import Channel, TrainingEnv, train_fn


@train_fn
def train(env: TrainingEnv, stream: Channel, epochs: int = 3):
    seen = []
    for data in stream.epochs(epochs, timeout=30):
        body = data.read()
        seen.append({"bytes": len(body), "lines": body.count(b"\n"),
                     "first": body.split(b"\n", 1)[0].decode()})
    env.output_data_dir.joinpath("epochs.json").write_text(
        json.dumps({"mode": stream.input_mode.value, "epochs": seen}))
