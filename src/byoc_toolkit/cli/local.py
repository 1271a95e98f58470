"""``byoc local``: train, serve and invoke as SageMaker would, on this machine."""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import BinaryIO

import click

from ..errors import log
from .dev_options import one_line_errors, pairs_option
from .options import host_option, program_option

image_option = click.option(
    "--image", metavar="IMAGE",
    help="Run in this image (docker run IMAGE train|serve) instead of in this environment.")


@click.group()
def local() -> None:
    """Run the SageMaker lifecycle locally: train, serve, invoke."""


@local.command()
@program_option
@image_option
@pairs_option("--hp", "hyperparameters", help="A hyperparameter, passed as SageMaker does "
              "(a string in hyperparameters.json).")
@pairs_option("--channel", "channels", value_type=click.Path(exists=True, file_okay=False,
              path_type=Path), help="An input channel: its name and a local directory.")
@click.option("--hosts", "--instance-count", "hosts", type=click.IntRange(1, 16), default=1,
              show_default=True, help="Hosts to run (algo-1..N), each with its own /opt/ml, "
              "process (or container) and loopback address (127.0.0.2, ...).")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the job's files and artifacts go [default: ./byoc-local/JOB].")
@click.option("--job-name", default=None, help="TRAINING_JOB_NAME [default: generated].")
def train(program: str | None, image: str | None, hyperparameters: dict[str, str],
          channels: dict[str, Path], hosts: int, output: Path | None,
          job_name: str | None) -> None:
    """Train: write the config files SageMaker writes, run the training, and pack
    model.tar.gz (and output.tar.gz) as SageMaker would upload them."""
    from ..local.training import train_locally

    if image is None and program is None:
        raise click.UsageError("give --program (or BYOC_PROGRAM), or --image")
    job_name = job_name or time.strftime("byoc-local-%Y%m%d-%H%M%S")
    output = output or Path("byoc-local") / job_name
    log(f"training job {job_name} on {hosts} host(s) in {output}")
    with one_line_errors():
        result = train_locally(output, program, image, hyperparameters, channels, hosts,
                               job_name)
    if result.exit_code != 0:
        reason = (result.failure or "no failure file was written").split("\n", 1)[0]
        log(f"training failed (exit {result.exit_code}): {reason}")
        sys.exit(result.exit_code)
    click.echo(str(result.model_artifact))
    if result.output_artifact is not None:
        log(f"output data: {result.output_artifact}")


@local.command()
@program_option
@image_option
@click.option("--model", required=True, type=click.Path(exists=True, path_type=Path),
              help="A model dir or model.tar.gz (e.g. what `byoc local train` printed).")
@click.option("--port", type=click.IntRange(1, 32766), default=8080, show_default=True,
              envvar="SAGEMAKER_BIND_TO_PORT", show_envvar=True)
@host_option("127.0.0.1", "Address to listen on; 0.0.0.0 for every interface.")
@pairs_option("--env", "env", help="An environment variable for the server, as "
              "CreateModel's Environment (e.g. SAGEMAKER_MODEL_SERVER_WORKERS=2).")
def serve(program: str | None, image: str | None, model: Path, port: int, host: str,
          env: dict[str, str]) -> None:
    """Serve a model until Ctrl-C, as an endpoint would (on this machine only, unless
    --host says otherwise)."""
    with one_line_errors():
        if image is not None:
            from ..local.serving import serve_in_container

            sys.exit(serve_in_container(image, model, host, port, env))
        import os

        from ..serving.mms.launcher import serve as run_server
        from ..serving.settings import ServingSettings

        os.environ.update(env)
        settings = dataclasses.replace(ServingSettings.from_env(), host=host, port=port)
        sys.exit(run_server(program, None, str(model), settings))


@local.command()
@click.argument("payload", type=click.File("rb"))
@click.option("--content-type", default=None,
              help="The Content-Type header [default: by PAYLOAD's extension (.csv, .json, "
                   ".jsonl, .npy, .npz), else text/csv].")
@click.option("--accept", default=None, help="The Accept header [default: none sent].")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True,
              envvar="SAGEMAKER_BIND_TO_PORT", show_envvar=True,
              help="The local endpoint's port (what byoc local serve listens on).")
@click.option("--target-model", default=None,
              help="A multi-model endpoint's model (POST /models/NAME/invoke).")
def invoke(payload: BinaryIO, content_type: str | None, accept: str | None, port: int,
           target_model: str | None) -> None:
    """POST PAYLOAD (a file, or - for stdin) to the local endpoint; print the response."""
    from ..local.invoking import invoke as post
    from ..serving.codecs import media_type_of_file

    content_type = content_type or media_type_of_file(payload.name) or "text/csv"
    path = f"/models/{target_model}/invoke" if target_model else "/invocations"
    try:
        reply = post("127.0.0.1", port, payload.read(), content_type, accept, path)
    except OSError as exc:
        raise click.ClickException(f"no endpoint on 127.0.0.1:{port}: {exc}") from None
    if reply.status != 200:
        try:
            message = json.loads(reply.body)["error"]
        except (ValueError, KeyError, TypeError):
            message = reply.body.decode(errors="replace").strip()
        raise click.ClickException(f"HTTP {reply.status}: {message}")
    sys.stdout.buffer.write(reply.body)
    if reply.body and not reply.body.endswith(b"\n") and _is_text(reply.content_type or ""):
        sys.stdout.buffer.write(b"\n")  # so that a shell prompt starts on its own line


def _is_text(content_type: str) -> bool:
    """Whether a response body is text, which a newline may end (not .npy data)."""
    essence = content_type.split(";")[0].strip().lower()
    return essence.startswith("text/") or essence.endswith(("json", "jsonlines", "+xml", "/xml"))
