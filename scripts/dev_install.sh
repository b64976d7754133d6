#!/bin/sh
# Link the working tree's add-on into an Anki profile base for development:
#   scripts/dev_install.sh ~/.local/share/Anki2
# Anki then loads addon/ straight from this checkout. The linked add-on imports learnplan
# and its dependencies like any installed package and never touches sys.path, so Anki must
# run on a Python that has them: this repo's .venv as scripts/test.sh sets it up (Anki
# desktop, and learnplan installed with `pip install -e`, so lib/ is live). Start it with
#   .venv/bin/anki -b ~/.local/share/Anki2
# To try the add-on as learners get it (libraries vendored under the add-on's own
# package), build it with scripts/build_addon.py and install the .ankiaddon instead.
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
echo "start Anki with this checkout's Python: $ROOT/.venv/bin/anki -b $BASE"
