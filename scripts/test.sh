#!/usr/bin/env bash
# make test: bootstrap, one debug build, a throwaway PostgreSQL, then every test against it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
# The house format (.swift-format, 120 columns): `make fmt` rewrites, this fails on any difference.
echo "test: swift format lint"
swift format lint --strict --recursive --parallel Package.swift Shared Services Tests Plugins Tools
echo "test: building (debug)"
swift build --build-tests
eval "$(scripts/postgres.sh start | sed 's/^/export /')"
export COFFER_TEST_VENV="$PWD/.run/venv"
COFFER_BIN_DIR="$(swift build --show-bin-path)"
export COFFER_BIN_DIR
echo "test: running"
swift test --skip-build "$@"
