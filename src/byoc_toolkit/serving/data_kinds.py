"""What a handler asks a request body to be decoded into."""

from __future__ import annotations

import enum


class DataKind(enum.Enum):
    """The Python shape of a decoded request body."""

    #: A numpy array; float64 from text formats, as stored from .npy/.npz.
    NDARRAY = "ndarray"
    #: A pandas DataFrame.
    DATAFRAME = "dataframe"
    #: Plain Python objects: lists, dicts, strings, numbers.
    JSON = "json"
    #: The body itself, untouched.
    BYTES = "bytes"
    #: The natural reading of each content type (see codecs.decode).
    DEFAULT = "default"
