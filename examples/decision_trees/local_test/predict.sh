#!/usr/bin/env bash
# Send FILE to the model served by serve_local.sh and print the predictions.
# Usage: predict.sh FILE [CONTENT_TYPE]        (default content type: text/csv)
set -euo pipefail
file=${1:?usage: predict.sh FILE [CONTENT_TYPE]}
content_type=${2:-text/csv}

curl --fail-with-body --silent --show-error --data-binary "@$file" \
    -H "Content-Type: $content_type" http://127.0.0.1:8080/invocations
