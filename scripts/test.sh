#!/bin/sh
# Set up everything the tests need on a fresh machine (virtual environment with anki and
# Anki desktop; Xvfb and Qt's X libraries from Debian when missing), then lint, type-check,
# check the architecture (import-linter's contracts in pyproject.toml: the library's layers,
# no Qt in the library, no import cycles) and run every test, the real-Anki-desktop test
# included. Extra arguments go to pytest.
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test,desktop]'
if [ -f scripts/ci_desktop_deps.sh ]; then
    sh scripts/ci_desktop_deps.sh
fi
.venv/bin/ruff check lib addon tests scripts benchmarks
.venv/bin/ruff format --check lib addon tests scripts benchmarks
.venv/bin/mypy
.venv/bin/lint-imports --no-logo
exec .venv/bin/pytest "$@"
