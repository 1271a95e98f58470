"""Answers with the size of the request body, or with as many MiB as a CSV body's first
value says (Accept: application/octet-stream)."""

from byoc_toolkit import encoder, predict_fn


@predict_fn
def predict(model, data: bytes):
    if data[:1].isdigit():
        return int(data.split(b",", 1)[0])
    return {"bytes": len(data)}


@encoder("application/octet-stream")
def filler(mebibytes: int) -> bytes:
    return b"x" * (mebibytes << 20)
