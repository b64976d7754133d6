#!/bin/sh
# Debian packages the desktop test (tests/desktop, pytest -m desktop) needs on a bare
# machine: an X server, input/screenshot tools, and the libraries Qt's xcb platform
# plugin and QtWebEngine load. The Python side is `pip install -e '.[test,desktop]'`.
# The test sets its own environment (QTWEBENGINE_DISABLE_SANDBOX=1 for root,
# QTWEBENGINE_CHROMIUM_FLAGS=--disable-gpu, DISPLAY from its private Xvfb).
# Installs only what is missing; without apt-get or root/sudo it says so and carries on
# (the desktop test then skips, naming what is missing).
set -eu
PACKAGES="xvfb xdotool imagemagick xauth
  libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libasound2 libegl1 libgl1
  libfontconfig1 libdbus-1-3 fonts-dejavu-core"
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "ci_desktop_deps: no apt-get here; install Xvfb and Qt's X libraries yourself" >&2
  exit 0
fi
missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
  else
    echo "ci_desktop_deps: missing Debian packages:$missing (needs root to install)" >&2
    exit 0
  fi
fi
echo "ci_desktop_deps: installing$missing"
$SUDO apt-get update -q
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
