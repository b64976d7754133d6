#!/bin/sh
# Debian packages the desktop test (tests/desktop, pytest -m desktop) needs on a bare
# machine: an X server, input/screenshot tools, and the libraries Qt's xcb platform
# plugin and QtWebEngine load. The Python side is `pip install -e '.[test,desktop]'`.
# The test sets its own environment (QTWEBENGINE_DISABLE_SANDBOX=1 for root,
# QTWEBENGINE_CHROMIUM_FLAGS=--disable-gpu, DISPLAY from its private Xvfb).
set -eu
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
  xvfb xdotool imagemagick xauth \
  libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 \
  libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libasound2 libegl1 libgl1 \
  libfontconfig1 libdbus-1-3 fonts-dejavu-core
