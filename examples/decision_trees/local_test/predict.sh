#!/usr/bin/env bash
# Send FILE to the model served by serve_local.sh and print the predictions.
# Usage: [PORT=N] predict.sh FILE [CONTENT_TYPE]     (default content type: text/csv, port 8080)
set -euo pipefail
file=${1:?usage: predict.sh FILE [CONTENT_TYPE]}
content_type=${2:-text/csv}

curl --fail-with-body --silent --show-error --data-binary "@$file" \
    -H "Content-Type: $content_type" "http://127.0.0.1:${PORT:-8080}/invocations"
