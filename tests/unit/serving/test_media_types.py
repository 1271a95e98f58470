import pytest

from byoc_toolkit.serving.errors import NotAcceptable, UnsupportedMediaType
from byoc_toolkit.serving.media_types import MediaRange, MediaType, negotiate, parse_accept

RESPONSE_TYPES = ("text/csv", "application/json", "application/jsonlines", "application/x-npy")


@pytest.mark.parametrize("header, essence, params", [
    ("text/csv", "text/csv", {}),
    ("Text/CSV", "text/csv", {}),
    ("text/csv; charset=utf-8", "text/csv", {"charset": "utf-8"}),
    ("text/csv;charset=UTF-8", "text/csv", {"charset": "UTF-8"}),
    ("  text/csv ; Charset = utf-8 ;", "text/csv", {"charset": "utf-8"}),
    ("text/csv;;header=present", "text/csv", {"header": "present"}),
    ('text/csv; charset="utf-8"', "text/csv", {"charset": "utf-8"}),
    ('application/json; note="a;b, \\"c\\""', "application/json", {"note": 'a;b, "c"'}),
    ("application/jsonlines", "application/jsonlines", {}),
    ("application/json-lines", "application/jsonlines", {}),
    ("application/x-jsonlines", "application/jsonlines", {}),
    ("Application/JSONL", "application/jsonlines", {}),
    ("application/x-npy", "application/x-npy", {}),
    ("application/vnd.custom+json", "application/vnd.custom+json", {}),
])
def test_parse(header, essence, params):
    media_type = MediaType.parse(header)
    assert media_type.essence == essence
    assert dict(media_type.params) == params


@pytest.mark.parametrize("header", [
    "", "   ", "text", "text/", "/csv", "text/csv/x", "text csv", "text/csv; charset",
    "text/csv; charset=", 'text/csv; charset="utf-8', "text/csv x", "*/*", "text/*",
    "tëxt/csv", "text/csv, application/json",
])
def test_parse_rejects_garbage_with_415(header):
    with pytest.raises(UnsupportedMediaType) as caught:
        MediaType.parse(header)
    assert caught.value.status == 415
    assert "malformed media type" in caught.value.message


def test_charset_is_lowercase_and_defaults_to_utf8():
    assert MediaType.parse("text/csv").charset == "utf-8"
    assert MediaType.parse("text/csv; charset=ISO-8859-1").charset == "iso-8859-1"


def test_media_types_are_immutable_values():
    a = MediaType.parse("Text/CSV; Charset=utf-8")
    b = MediaType("text", "csv", {"charset": "utf-8"})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != MediaType.parse("text/csv")
    with pytest.raises(TypeError):
        a.params["charset"] = "latin-1"
    with pytest.raises(AttributeError):
        a.type = "application"


def test_str_renders_a_header_value():
    assert str(MediaType.parse("text/csv;charset=utf-8")) == "text/csv; charset=utf-8"
    assert str(MediaType.parse('text/plain; note="a b"')) == 'text/plain; note="a b"'
    assert str(MediaType.parse("application/jsonl")) == "application/jsonlines"


def test_media_range_wildcards():
    assert MediaRange.parse("*/*").specificity == 0
    assert MediaRange.parse("text/*").specificity == 1
    assert MediaRange.parse("text/csv").specificity == 2
    assert MediaRange.parse("text/csv; charset=utf-8").specificity == 3
    with pytest.raises(UnsupportedMediaType):
        MediaRange.parse("*/csv")


@pytest.mark.parametrize("range_, media_type, expected", [
    ("*/*", "application/json", True),
    ("text/*", "text/csv", True),
    ("text/*", "application/json", False),
    ("text/csv", "text/csv", True),
    ("text/csv; charset=UTF-8", "text/csv", True),
    ("text/csv; charset=latin-1", "text/csv", False),
    ("text/csv; header=present", "text/csv", True),
    ("application/jsonl", "application/jsonlines", True),
])
def test_media_range_matches(range_, media_type, expected):
    assert MediaRange.parse(range_).matches(MediaType.parse(media_type)) is expected


def _accepted(header):
    return [(str(media_range), q) for media_range, q in parse_accept(header)]


def test_parse_accept_orders_by_q_then_specificity_then_position():
    header = "text/*;q=0.5, application/json, */*;q=0.1, text/csv;q=0.5, application/x-npy"
    assert _accepted(header) == [
        ("application/json", 1.0), ("application/x-npy", 1.0), ("text/csv", 0.5),
        ("text/*", 0.5), ("*/*", 0.1)]


def test_parse_accept_keeps_params_and_drops_accept_extensions():
    assert _accepted("text/csv; charset=utf-8; q=0.7; level=1") == [
        ("text/csv; charset=utf-8", 0.7)]


def test_parse_accept_skips_malformed_entries():
    header = "garbage, text/csv;q=abc, application/json;q=2, */json, text/csv;q=0.3, , ;"
    assert _accepted(header) == [("text/csv", 0.3)]


def test_parse_accept_details():
    assert _accepted(None) == [] and _accepted("") == []
    assert _accepted("image/png;q=0") == [("image/png", 0.0)]
    assert _accepted('text/plain; note="a,b", text/csv') == [
        ('text/plain; note="a,b"', 1.0), ("text/csv", 1.0)]
    assert _accepted("text/html, *; q=.2") == [("text/html", 1.0), ("*/*", 0.2)]
    assert _accepted("Application/JSON-Lines;Q=0.9") == [("application/jsonlines", 0.9)]


@pytest.mark.parametrize("accept, default, request_type, expected", [
    # No usable Accept, or */* alone: default, else the request's type, else the first.
    (None, "application/json", "text/csv", "application/json"),
    ("", "application/json", "text/csv", "application/json"),
    ("*/*", "application/json", "text/csv", "application/json"),
    ("*/*", None, "text/csv", "text/csv"),
    ("*/*", "image/png", "application/jsonl; charset=utf-8", "application/jsonlines"),
    ("*/*", None, None, "text/csv"),
    ("*/*", "garbage", "image/png", "text/csv"),
    ("nonsense", "application/json", None, "application/json"),
    # A usable Accept header picks.
    ("text/csv", "application/json", None, "text/csv"),
    ("Text/CSV; charset=utf-8", "application/json", None, "text/csv"),
    ("application/x-npy, application/json", "application/json", None, "application/x-npy"),
    ("application/json;q=0.4, text/csv;q=0.8", None, None, "text/csv"),
    ("image/png, application/jsonl", None, None, "application/jsonlines"),
    ("text/*", "application/json", None, "text/csv"),
    ("application/*", None, "text/csv", "application/json"),
    ("application/*", "application/x-npy", None, "application/x-npy"),
    ("*/*;q=0.1, text/csv", "application/json", None, "text/csv"),
    ("text/csv;q=0.5, */*", "application/json", None, "application/json"),
    # q=0 excludes a type that a wider range would allow.
    ("*/*, application/json;q=0", "application/json", "text/csv", "text/csv"),
    ("application/*, application/json;q=0", "application/json", None, "application/jsonlines"),
    # The most specific matching range sets the quality.
    ("text/*;q=0.9, text/csv;q=0.2, application/json;q=0.5", None, None, "application/json"),
])
def test_negotiate(accept, default, request_type, expected):
    assert negotiate(accept, RESPONSE_TYPES, default, request_type) == expected


def test_negotiate_accepts_a_list_of_available_types():
    assert negotiate(None, ["application/json", "text/csv"], None, None) == "application/json"


@pytest.mark.parametrize("accept", [
    "image/png", "text/html, image/*", "application/json;q=0, text/csv;q=0",
    "*/*;q=0", "text/csv; charset=latin-1",
])
def test_negotiate_raises_406_listing_what_is_available(accept):
    with pytest.raises(NotAcceptable) as caught:
        negotiate(accept, RESPONSE_TYPES, "application/json", "text/csv")
    assert caught.value.status == 406
    assert caught.value.message.endswith(
        "available: text/csv, application/json, application/jsonlines, application/x-npy")
    assert "\n" not in caught.value.message


def test_negotiate_406_message_quotes_a_long_header_cut():
    with pytest.raises(NotAcceptable) as caught:
        negotiate("image/png, " * 100, RESPONSE_TYPES, None, None)
    assert len(caught.value.message) < 250
