#!/usr/bin/env bash
# Install everything booklet needs on a fresh Debian machine, then build the
# sample booklet. Safe to run again: each step skips what is already done.
set -euo pipefail
cd "$(dirname "$0")"

# default-jre-headless runs EPUBCheck, chromium reads the web edition in the tests;
# libgs-common ships the CMYK output profile (profiles/manifest.yaml); ghostscript
# renders ink separations (booklet preview --plates, the tests).
DEB_PACKAGES=(libharfbuzz-subset0 poppler-utils fonts-noto-cjk fonts-lxgw-wenkai
              libpango-1.0-0 libpangoft2-1.0-0 python3-venv libgs-common ghostscript
              default-jre-headless chromium)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "error: need root (or sudo) to install: ${missing[*]}" >&2
    echo "       ask an administrator to run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  $SUDO apt-get update -qq || { echo "error: apt-get update failed; check the package sources" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { echo "error: could not install ${missing[*]}" >&2; exit 1; }
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
echo "==> installing booklet and its Python dependencies"
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e '.[test]'

echo "==> installing the shipped fonts into fonts/"
.venv/bin/booklet fonts install --dir fonts

echo "==> installing the shipped CMYK profile into profiles/"
.venv/bin/booklet profiles install

echo "==> building the sample booklet"
.venv/bin/booklet build
