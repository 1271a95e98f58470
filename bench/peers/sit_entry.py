"""Start sagemaker-inference 1.10.1 the way its README does: ``model_server.start_model_server()``.

Two changes, both so that it behaves on a shared machine as it would alone in its container:
- the generated properties file goes to BENCH_MMS_CONFIG instead of
  /etc/sagemaker-mms.properties, so a run writes nothing outside its own directory;
- SIT finds "its" JVM by scanning every process for com.amazonaws.ml.mms.ModelServer and
  waits on the one it finds; here other MMS servers (byoc serve, tests) may be running, so the
  scan only sees this session's processes.
"""

import os
from collections.abc import Iterator

import psutil
from sagemaker_inference import model_server

_all_processes = psutil.process_iter


def _own_session_processes(*args: object, **kwargs: object) -> Iterator[psutil.Process]:
    session = os.getsid(0)
    for proc in _all_processes(*args, **kwargs):
        try:
            ours = os.getsid(proc.pid) == session
        except OSError:
            continue  # exited meanwhile
        if ours:
            yield proc


model_server.MMS_CONFIG_FILE = os.environ["BENCH_MMS_CONFIG"]
psutil.process_iter = _own_session_processes  # SIT's only use of it is that scan

if __name__ == "__main__":
    model_server.start_model_server()
