import json

import pytest

from byoc_toolkit.serving.errors import (
    MAX_MESSAGE_LENGTH,
    BadRequest,
    ModelError,
    NotAcceptable,
    PayloadTooLarge,
    ServingError,
    UnsupportedMediaType,
    count_of,
    excerpt,
)


@pytest.mark.parametrize("error_type, status", [
    (BadRequest, 400), (NotAcceptable, 406), (PayloadTooLarge, 413),
    (UnsupportedMediaType, 415), (ModelError, 500), (ServingError, 500),
])
def test_each_error_fixes_its_status(error_type, status):
    error = error_type("went wrong")
    assert (error.status, error.message, str(error)) == (status, "went wrong", "went wrong")
    assert isinstance(error, ServingError)


def test_status_can_be_chosen_on_the_base_class():
    assert ServingError("busy", status=503).status == 503
    assert ModelError("x").status == 500


def test_message_is_one_line_and_bounded():
    error = ModelError("Traceback:\n  File 'x'\r\n\tValueError: bad\n")
    assert error.message == "Traceback: File 'x' ValueError: bad"
    long = BadRequest("x" * 5000)
    assert len(long.message) == MAX_MESSAGE_LENGTH and long.message.endswith("…")


def test_the_response_is_the_status_and_a_json_error_body():
    response = BadRequest('row 2: "quoted" \\ and ünïcode').to_response()
    assert (response.status, response.content_type) == (400, "application/json")
    assert json.loads(response.body) == {"error": 'row 2: "quoted" \\ and ünïcode'}


def test_excerpt_quotes_and_cuts():
    assert excerpt("abc") == "'abc'"
    assert excerpt("a\nb") == "'a\\nb'"
    assert excerpt("x" * 50, limit=5) == "'xxxxx…'"
    assert excerpt(b"\xffab") == "'\ufffdab'"


def test_count_of():
    assert (count_of(1, "field"), count_of(0, "field"), count_of(3, "value")) == (
        "1 field", "0 fields", "3 values")
