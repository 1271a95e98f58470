"""Hypothesis strategies for requests: bodies drawn to reach deep into each decoder (valid-looking
.npy headers with hostile shapes and dtypes, zip archives with hostile members, scipy sparse
layouts, CSV and JSON text), then mutated; Content-Types with every kind of charset and
header parameter; Accept headers."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
from hypothesis import strategies as st

from byoc_toolkit.serving import codecs
from support.bodies import npy_bytes

charsets = st.sampled_from(["utf-8", "UTF-16", "latin-1", "idna", "utf-7", "punycode",
                            "unicode_escape", "raw_unicode_escape", "rot13", "base64", "cp500",
                            "utf-32-be", "ascii", "nope", ""])
content_types = st.one_of(
    st.builds(lambda essence, charset, header: f"{essence}; charset={charset}; header={header}",
              st.sampled_from(codecs.REQUEST_TYPES), charsets,
              st.sampled_from(["present", "absent", "maybe"])),
    st.sampled_from([*codecs.REQUEST_TYPES, "application/x-jsonlines", "text/csv; header=present"]),
    st.text(max_size=40))
accepts = st.one_of(st.none(), st.sampled_from([*codecs.RESPONSE_TYPES, "*/*", "text/*",
                                                "image/png", "application/x-npz", "*;q=0"]),
                    st.text(max_size=40))

DESCRS = ["<f8", "<f4", "|b1", "<i8", "|u1", ">i2", "<c16", "<U3", "|S2", "|S0", "<U0", "|V0",
          "|V4", "<M8[ns]", "<m8[s]", "|O", [("a", "<f8")], [("a", "<f8", (0,))],
          [("a", "<i4"), ("b", "|S3")], [("a", "|O")], "<zz", 7, "<f8\x00"]
dimensions = st.one_of(st.integers(0, 4), st.integers(0, 1 << 20), st.just(2**31),
                       st.just(2**70), st.integers(-3, -1))


@st.composite
def npy_bodies(draw: st.DrawFn) -> bytes:
    descr = draw(st.sampled_from(DESCRS))
    shape = tuple(draw(st.lists(dimensions, max_size=draw(st.sampled_from([3, 40, 70])))))
    header = repr({"descr": descr, "fortran_order": draw(st.booleans()), "shape": shape})
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    version = draw(st.sampled_from([b"\x01\x00", b"\x02\x00", b"\x03\x00"]))
    length = len(header).to_bytes(2 if version == b"\x01\x00" else 4, "little")
    return b"\x93NUMPY" + version + length + header.encode() + draw(st.binary(max_size=256))


@st.composite
def npz_bodies(draw: st.DrawFn) -> bytes:
    buffer = io.BytesIO()
    methods = [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
    sparse = {"format": np.array(draw(st.sampled_from(["csr", "csc", "coo", "dia", "bsr", "x"]))),
              "shape": np.array(draw(st.lists(dimensions, min_size=1, max_size=3))),
              "data": np.arange(draw(st.integers(0, 5)), dtype=float),
              "indices": np.array(draw(st.lists(st.integers(-2, 8), max_size=5))),
              "indptr": np.array(draw(st.lists(st.integers(-2, 8), max_size=5))),
              "offsets": np.array(draw(st.lists(st.integers(-2, 3), max_size=3))),
              "row": np.array(draw(st.lists(st.integers(-2, 8), max_size=5))),
              "col": np.array(draw(st.lists(st.integers(-2, 8), max_size=5)))}
    with zipfile.ZipFile(buffer, "w") as archive:
        if draw(st.booleans()):
            for name in draw(st.sets(st.sampled_from(sorted(sparse)), min_size=2)):
                archive.writestr(name + ".npy", npy_bytes(sparse[name], allow_pickle=True),
                                 draw(st.sampled_from(methods)))
        for index in range(draw(st.integers(0, 3))):
            archive.writestr(draw(st.sampled_from([f"m{index}.npy", "x", "../a.npy"])),
                             draw(st.one_of(npy_bodies(), st.binary(max_size=64))),
                             draw(st.sampled_from(methods)))
    return buffer.getvalue()


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(["a", "b", "instances", "inputs"]),
                                               children, max_size=3)),
    max_leaves=20)
csv_text = st.lists(st.lists(st.one_of(st.floats().map(repr), st.integers().map(str),
                                       st.text(alphabet=',"\n\r ab1.', max_size=5)),
                             min_size=1, max_size=4), max_size=5).map(
    lambda rows: "\n".join(",".join(row) for row in rows))
structured = st.one_of(
    npy_bodies(), npz_bodies(), json_values.map(lambda v: json.dumps(v).encode()),
    st.lists(json_values, max_size=4).map(
        lambda vs: "\n".join(json.dumps(v) for v in vs).encode()),
    csv_text.map(str.encode), st.binary(max_size=300))


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """A structured body, sometimes with bytes flipped, cut off, or a big integer inside."""
    body = bytearray(draw(structured))
    for _ in range(draw(st.sampled_from([0, 0, 1, 3]))):
        if body:
            body[draw(st.integers(0, len(body) - 1))] = draw(st.integers(0, 255))
    if body and draw(st.booleans()):
        body = body[:draw(st.integers(0, len(body)))]
    if draw(st.integers(0, 9)) == 0:
        body = bytearray(b"[" + b"9" * draw(st.integers(4000, 4400)) + b"]")
    return bytes(body)
