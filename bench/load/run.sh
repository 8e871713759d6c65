#!/usr/bin/env bash
# The submission-intake load benchmark (a benchmark, not a test): builds the server's `load` example in
# release and runs it. Arguments go to the example; defaults: --n 10000 --clients 50.
# SQLite in a temporary directory; set DATABASE_URL=postgres://… to measure PostgreSQL instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$#" -eq 0 ]; then set -- --n 10000 --clients 50; fi
cargo run --release -q -p tokhai-server --example load -- "$@"
