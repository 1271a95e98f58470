"""byoc's errors and exit codes, and its one way of writing a ``byoc:`` line to stderr.

Every error byoc raises on purpose derives from ByocError. An InputError is a mistake in what
byoc was given (a config file, a hyperparameter, the program, a setting, an archive, a command
line option): commands exit with ``ExitCode.BAD_INPUT`` for it, and nothing has been started
or created. Any other ByocError means that something failed while running.
"""

from __future__ import annotations

import enum
import logging
import sys

#: The logger of byoc's own lines; ``byoc serve`` gives it a handler in its log format
#: (serving/logs.py) and sends log()'s lines through it.
LOGGER_NAME = "byoc"
_logger: logging.Logger | None = None


class ExitCode(enum.IntEnum):
    """How ``byoc`` commands end (SageMaker reads only zero and non-zero)."""

    OK = 0
    #: Something failed while running: the training code, the server, an AWS or docker call.
    FAILED = 1
    #: The input is unusable; nothing ran.
    BAD_INPUT = 2
    #: Training stopped by SIGTERM (StopTrainingJob, the time limit, spot interruption).
    STOPPED = 128 + 15


class ByocError(Exception):
    """The root of byoc's own errors; the message is meant for the user as it stands."""

    exit_code: ExitCode = ExitCode.FAILED


class InputError(ByocError):
    """Something byoc was given cannot be used: exit code 2, nothing started."""

    exit_code = ExitCode.BAD_INPUT


class RegistrationError(InputError, TypeError):
    """A decorator was used in a way that cannot work (found when the program is imported)."""


def log(message: str, level: int = logging.INFO) -> None:
    """Write ``byoc: <message>`` to stderr at once (stdout carries only results); under
    ``byoc serve``, a line in its log format and level."""
    if _logger is not None:
        _logger.log(level, message)
        return
    sys.stderr.write(f"byoc: {message}\n")
    sys.stderr.flush()


def log_through(logger: logging.Logger | None) -> None:
    """Send log()'s lines through ``logger`` (None: straight to stderr again)."""
    global _logger
    _logger = logger
