"""A job's CloudWatch log, read as it grows: one stream per host (``<job>/algo-1-<epoch>``),
each line labelled with the host it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .api_calls import ApiCall, Service
from .session import AwsApi, AwsError

# A stream is named <job>/<host>-<epoch seconds>[/<part>], e.g. <job>/algo-1-1700000000.
_STREAM = re.compile(r"(?P<host>.+?)-\d{10}(?P<part>/.+)?")


@dataclass(frozen=True)
class LogLine:
    #: The host (``algo-1``), or whatever else names the stream within the job.
    source: str
    message: str
    #: Milliseconds since the epoch.
    timestamp: int


def stream_source(job_name: str, stream: str) -> str:
    """``algo-1`` for the stream ``<job>/algo-1-1700000000``."""
    rest = stream.removeprefix(f"{job_name}/")
    found = _STREAM.fullmatch(rest)
    return f"{found['host']}{found['part'] or ''}" if found else rest


class LogTail:
    """The lines added to a job's log streams since the last read."""

    def __init__(self, api: AwsApi, group: str, job_name: str) -> None:
        self._api = api
        self._group = group
        self._job = job_name
        #: Each stream's forward token: where the next read starts.
        self._tokens: dict[str, str | None] = {}

    def read(self) -> list[LogLine]:
        """New lines of every stream, in time order (a line from each host in turn)."""
        lines = [line for stream in self._streams() for line in self._read_stream(stream)]
        return sorted(lines, key=lambda line: line.timestamp)

    def _streams(self) -> list[str]:
        params = {"logGroupName": self._group, "logStreamNamePrefix": f"{self._job}/"}
        names: list[str] = []
        while True:
            try:
                answer = self._api.send(ApiCall(Service.LOGS, "DescribeLogStreams", params,
                                                self._job))
            except AwsError as exc:
                # The log group appears with the first job that logs in this region.
                if exc.code == "ResourceNotFoundException":
                    return names
                raise
            names += [s["logStreamName"] for s in answer["logStreams"]]
            if not answer.get("nextToken"):
                return names
            params = {**params, "nextToken": answer["nextToken"]}

    def _read_stream(self, stream: str) -> list[LogLine]:
        source = stream_source(self._job, stream)
        lines: list[LogLine] = []
        while True:
            params = {"logGroupName": self._group, "logStreamName": stream,
                      "startFromHead": True}
            token = self._tokens.get(stream)
            if token is not None:
                params["nextToken"] = token
            answer = self._api.send(ApiCall(Service.LOGS, "GetLogEvents", params,
                                            stream))
            self._tokens[stream] = answer["nextForwardToken"]
            if not answer["events"]:
                return lines
            lines += [LogLine(source, e["message"].rstrip("\n"), e["timestamp"])
                      for e in answer["events"]]
