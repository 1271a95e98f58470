"""The one error type of the env-contract: which file, which field, what is wrong."""

from __future__ import annotations

from ..errors import InputError


class ContractError(InputError):
    """A SageMaker config file or field is missing or malformed.

    The message always names the file and, where there is one, the field, so that it can
    stand alone as the first line of a failure file.
    """

    def __init__(self, file: str, problem: str, field: str | None = None) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {problem}")
