#!/usr/bin/env bash
# Installs what kcsim needs, builds it, and runs the K-Cloud demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build
cmake --build build -j"$(nproc)" --target kcsim
./build/bin/kcsim "$@"
