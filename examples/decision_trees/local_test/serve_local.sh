#!/usr/bin/env bash
# Serve test_dir/model from IMAGE as SageMaker would, on port 8080 (or $PORT); Ctrl-C stops it.
# Usage: [PORT=N] serve_local.sh IMAGE        (train with train_local.sh first)
set -euo pipefail
image=${1:?usage: serve_local.sh IMAGE}
cd "$(dirname "$0")"

# exec: the script's signals (Ctrl-C, kill) go straight to docker, which stops the container.
exec docker run --rm --network host -e "SAGEMAKER_BIND_TO_PORT=${PORT:-8080}" \
    -v "$(pwd)/test_dir:/opt/ml" "$image" serve
