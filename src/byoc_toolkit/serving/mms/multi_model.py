"""What a multi-model endpoint accepts in ``POST /models``: SageMaker's model names are opaque
keys, so only names that multi-model-server cannot route are refused, and only model dirs
under the models root are loaded.

The name rule is checked here when the model is attached, and, when byoc's plugin is present,
by the front end before multi-model-server registers anything (it gets the pattern and the
rule's wording through config.properties): a name with ``/`` could otherwise be registered
but neither invoked nor deleted.
"""

from __future__ import annotations

import re
from pathlib import Path

#: multi-model-server splits /models/<name>/invoke on "/" after decoding %2F; "." and ".."
#: are rewritten by HTTP clients; control characters cannot be logged or typed.
NAME_PATTERN = r"(?!\.\.?$)[^/\x00-\x1f\x7f]+"
NAME_RULE = "cannot be routed: it must be non-empty, without '/' or control characters, " \
            "and not '.' or '..'"
_NAME = re.compile(NAME_PATTERN)


def refusal(name: str, path: str, models_root: Path) -> str | None:
    """Why model ``name`` at ``path`` cannot be loaded, or None."""
    if not _NAME.fullmatch(name):
        return f"model name {name!r} {NAME_RULE}"
    root = models_root.resolve()
    resolved = Path(path).resolve()
    if resolved != root and root not in resolved.parents:
        return f"model url {path!r} is outside the multi-model root {str(root)!r}"
    return None
