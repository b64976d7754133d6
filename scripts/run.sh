#!/bin/sh
# Set up a virtual environment (once) and build the bundled "Zero to Deep Learning" plan
# into ./zero-to-deep-learning.apkg. Extra arguments go to `learnplan build`. The
# environment has learnplan with its `anki` extra (Anki's Python package, no desktop), so
# every command the README shows works in it: .venv/bin/learnplan report --collection ...
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}
if [ ! -x "$ROOT/.venv/bin/python" ]; then
    "$PY" -m venv "$ROOT/.venv"
fi
if ! "$ROOT/.venv/bin/python" -c "import learnplan, genanki, ruamel.yaml, markdown_it, bleach, anki" 2>/dev/null; then
    "$ROOT/.venv/bin/python" -m pip install --quiet --upgrade pip
    "$ROOT/.venv/bin/python" -m pip install --quiet -e "$ROOT[anki]"
fi
exec "$ROOT/.venv/bin/learnplan" build "$@"
