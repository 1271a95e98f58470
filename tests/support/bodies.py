"""Request bodies in numpy's formats."""

from __future__ import annotations

import io

import numpy as np


def npy_bytes(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    """``array`` as np.save writes it (object arrays need ``allow_pickle``)."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def npz_bytes(compressed: bool = False, **arrays: np.ndarray) -> bytes:
    """``arrays`` as np.savez (or np.savez_compressed) writes them."""
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()
