#!/usr/bin/env bash
# Train in IMAGE as SageMaker would: test_dir/ mounted as /opt/ml, `train` as the argument.
# Usage: train_local.sh IMAGE        (the model lands in test_dir/model/)
set -euo pipefail
image=${1:?usage: train_local.sh IMAGE}
cd "$(dirname "$0")"

# Start from a clean slate: a model or failure file from an earlier run would mislead.
rm -rf test_dir/model test_dir/output
mkdir -p test_dir/model test_dir/output

docker run --rm --network host -v "$(pwd)/test_dir:/opt/ml" "$image" train
