"""Adds a request type (space-separated text) and a response type (counts per species), and
replaces the text/csv encoder (upper-case labels)."""

import json

import numpy as np

from byoc_toolkit import decoder, encoder, predict_fn


@decoder("text/plain")
def space_separated(body: bytes, media_type) -> np.ndarray:
    return np.array([[float(x) for x in line.split()] for line in body.decode().splitlines()])


@encoder("application/x-species-count")
def species_count(prediction) -> bytes:
    names, counts = np.unique(prediction, return_counts=True)
    return json.dumps(dict(zip(names.tolist(), counts.tolist(), strict=True))).encode()


@encoder("text/csv")
def shouting_csv(prediction) -> bytes:
    return "".join(f"{label.upper()}\n" for label in prediction).encode()


@predict_fn
def predict(model, data):
    return model.predict(np.asarray(data, dtype=float))
