"""Serves the example's model through the request context: it returns the custom attributes it
was sent (prefixed "seen="), reports the context in headers, and answers some first features
its own way: 422 -> HTTPError(422), 302 -> an invalid HTTPError, 1025 -> custom attributes over
the limit, 13 -> a header value with a line break, 507 -> MemoryError.

Its encoder for application/x-context and decoder for text/x-context take the context too."""

import json

import numpy as np

from byoc_toolkit import HTTPError, RequestContext, decoder, encoder, predict_fn


@predict_fn
def predict(model, data: np.ndarray, context: RequestContext):
    first = data[0, 0]
    if first == 422:
        raise HTTPError(422, "feature 0 is 422, which this model refuses")
    if first == 302:
        raise HTTPError(302, "a redirect is not an error")
    if first == 1025:
        context.set_custom_attributes("x" * 1025)
    if first == 13:
        context.response_headers["X-Injected"] = "ok\r\nSet-Cookie: stolen=1"
    if first == 507:
        raise MemoryError("this request needs 64 GiB")
    context.set_custom_attributes(f"seen={context.custom_attributes}")
    context.response_headers["X-Inference-Id"] = context.inference_id
    context.response_headers["X-Target-Model"] = context.target_model or "none"
    return model.predict(data)


@encoder("application/x-context")
def describe(prediction, context: RequestContext) -> bytes:
    return json.dumps({
        "predictions": [str(label) for label in prediction],
        "custom_attributes": context.custom_attributes,
        "inference_id": context.inference_id,
        "target_model": context.target_model,
        "target_variant": context.target_variant,
        "content_type": context.content_type,
        "accept": context.accept,
        "user_agent": context.headers.get("user-agent"),
    }).encode()


@decoder("text/x-context")
def read_rows(body: bytes, media_type, context: RequestContext) -> np.ndarray:
    context.response_headers["X-Decoded-By"] = "read_rows"
    return np.array([[float(x) for x in line.split()] for line in body.decode().splitlines()])
