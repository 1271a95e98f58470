"""``byoc serve``: what SageMaker runs as ``docker run IMAGE serve``."""

from __future__ import annotations

import sys

import click

from .options import host_option, program_option, root_option


@click.command()
@program_option
@root_option
@click.option("--model", metavar="DIR|FILE.tar.gz",
              help="The model to serve [default: <root>/model]; a model.tar.gz is unpacked.")
@click.option("--port", type=click.IntRange(1, 32766), envvar="SAGEMAKER_BIND_TO_PORT",
              help="Port to listen on [env: SAGEMAKER_BIND_TO_PORT; default: 8080].")
@host_option("0.0.0.0", "Address to listen on: every interface, as SageMaker needs.")
def serve(program: str | None, root: str | None, model: str | None, port: int | None,
          host: str) -> None:
    """Serve the model over HTTP on multi-model-server: /ping, /invocations and, with
    SAGEMAKER_MULTI_MODEL=true, SageMaker's multi-model /models API.

    Settings come from the SAGEMAKER_* variables SageMaker sets (workers, timeout,
    payload limit, batch, default Accept); the docs' environment variables page lists them.
    """
    import dataclasses

    from ..errors import InputError, log
    from ..serving.mms.launcher import serve as run_server
    from ..serving.settings import ServingSettings

    try:
        settings = dataclasses.replace(ServingSettings.from_env(), host=host)
        if port is not None:
            settings = dataclasses.replace(settings, port=port)
        code = run_server(program, root, model, settings)
    except InputError as exc:
        log(f"error: {exc}")
        code = exc.exit_code
    sys.exit(code)
