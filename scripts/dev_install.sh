#!/bin/sh
# Link the working tree's add-on into an Anki profile base for development:
#   scripts/dev_install.sh ~/.local/share/Anki2
# Anki then loads addon/ straight from this checkout. Without addon/_vendor the add-on
# puts the checkout's lib/ on sys.path, so Anki must run from a Python that has the
# library's dependencies (e.g. this repo's .venv: `.venv/bin/anki -b BASE`). Run
# `python scripts/build_addon.py --vendor-only` to vendor them into addon/_vendor instead.
set -eu
if [ $# -ne 1 ]; then
  echo "usage: $0 ANKI_BASE_FOLDER" >&2
  exit 2
fi
BASE=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET="$BASE/addons21/learning_plan"
mkdir -p "$BASE/addons21"
if [ -e "$TARGET" ] && [ ! -L "$TARGET" ]; then
  echo "$TARGET exists and is not a link; remove it first (it may be an installed copy)" >&2
  exit 1
fi
ln -sfn "$ROOT/addon" "$TARGET"
echo "linked $TARGET -> $ROOT/addon"
