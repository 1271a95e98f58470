"""Request bodies that once killed a worker or made it allocate gigabytes (issue 11, items 1, 3
and 4), for the in-process and HTTP tests: each must get a 4xx with a one-line JSON error."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import numpy as np
from numpy.lib import format as npy_format

from support.bodies import npy_bytes
from support.paths import REPO

#: 1.1 KB of .npz whose bzip2 member declares 1 MiB and decompresses to a 1.2 GiB array
#: (tests/data; compressing 1.2 GiB takes half a minute). Before issue 11 it cost a worker
#: 2.4 GiB of memory and 12 s.
NPZ_BOMB = REPO / "tests" / "data" / "npz_bomb.npz"


@dataclass(frozen=True)
class Poison:
    name: str
    body: bytes
    content_type: str
    status: int = 400


def npy_header(descr: object, shape: tuple[int, ...]) -> bytes:
    """A .npy header (format 1.0) declaring ``descr`` and ``shape``, as any client can send."""
    buffer = io.BytesIO()
    npy_format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False,
                                               "shape": shape})
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _encrypted() -> bytes:
    body = bytearray(zip_bytes({"x.npy": npy_bytes(np.zeros(3))}))
    for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        body[body.index(signature) + flags] |= 0x1  # "encrypted" in the local and central headers
    return bytes(body)


def _corrupt_member(method: int) -> bytes:
    body = bytearray(zip_bytes({"x.npy": npy_bytes(np.arange(1000.0))}, method))
    data = body.index(b"PK\x03\x04") + 30 + len("x.npy")
    for index in range(data + 4, data + 40):
        body[index] ^= 0x5A
    return bytes(body)


def _corrupt_central_directory() -> bytes:
    body = bytearray(zip_bytes({"x.npy": npy_bytes(np.zeros(3))}))
    entry = body.index(b"PK\x01\x02")
    body[entry + 42:entry + 46] = b"\xff\xff\xff\x7f"  # the member's offset: past the end
    return bytes(body)


def _sparse_with_format(value: np.ndarray) -> bytes:
    return zip_bytes({"format.npy": npy_bytes(value), "shape.npy": npy_bytes(np.array([2, 2])),
                      "data.npy": npy_bytes(np.zeros(2)),
                      "indices.npy": npy_bytes(np.array([0, 1])),
                      "indptr.npy": npy_bytes(np.array([0, 1, 2]))})


def poison_bodies() -> list[Poison]:
    zero_bytes = [("a", "<f8", (0,))]
    return [
        Poison("json-5000-digit-integer", b"[" + b"9" * 5000 + b"]", "application/json"),
        Poison("jsonlines-5000-digit-integer", b"9" * 5000 + b"\n", "application/jsonlines"),
        Poison("csv-charset-idna", b"xn--zzzzzzzzz.com", "text/csv; charset=idna", 415),
        Poison("npy-65-dimensions", npy_header("<f8", (1,) * 65) + bytes(8),
               "application/x-npy"),
        Poison("npy-shape-0-by-2**70", npy_header("<f8", (0, 2**70)), "application/x-npy"),
        Poison("npy-zero-itemsize-10**20", npy_header(zero_bytes, (10**10, 10**10)),
               "application/x-npy"),
        Poison("npy-zero-itemsize-10M-by-4", npy_header(zero_bytes, (10_000_000, 4)),
               "application/x-npy"),
        Poison("npy-zero-itemsize-7-by-2**31", npy_header(zero_bytes, (7, 2**31)),
               "application/x-npy"),
        Poison("npz-encrypted-member", _encrypted(), "application/x-npz"),
        Poison("npz-corrupt-bz2-member", _corrupt_member(zipfile.ZIP_BZIP2),
               "application/x-npz"),
        Poison("npz-corrupt-lzma-member", _corrupt_member(zipfile.ZIP_LZMA),
               "application/x-npz"),
        Poison("npz-corrupt-central-directory", _corrupt_central_directory(),
               "application/x-npz"),
        Poison("npz-sparse-format-a-number", _sparse_with_format(np.array(5)),
               "application/x-npz"),
        Poison("npz-sparse-format-an-array", _sparse_with_format(np.array([1, 2])),
               "application/x-npz"),
        Poison("npz-bomb-1.2-GiB-in-1-KB", NPZ_BOMB.read_bytes(), "application/x-npz"),
    ]
