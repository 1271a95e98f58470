"""How much work decoding one request body may cost, beyond reading the body itself."""

from __future__ import annotations

from dataclasses import dataclass

from ..settings import ServingSettings

#: What a compressed or sparse body may expand to, as a multiple of the payload limit:
#: enough for numpy's own compressed files of ordinary data, far below what deflate allows
#: (about 1000 to 1).
EXPANSION_FACTOR = 4


@dataclass(frozen=True)
class DecodeLimits:
    """Bounds that a decoder checks against what a body declares, before it allocates."""

    #: Largest total size of the arrays a compressed (.npz) or sparse body may expand to.
    max_expanded_bytes: int

    @classmethod
    def for_payload_limit(cls, max_payload_bytes: int) -> DecodeLimits:
        """The limits for requests of at most ``max_payload_bytes``."""
        return cls(max_expanded_bytes=EXPANSION_FACTOR * max_payload_bytes)


#: The limits at the default payload limit (SageMaker's 6 MB).
DEFAULT_LIMITS = DecodeLimits.for_payload_limit(ServingSettings().max_payload_bytes)
