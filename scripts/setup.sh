#!/usr/bin/env bash
# Prepares a Debian 12 machine (Swift already installed) for building and testing JumpStation.
#
#   scripts/setup.sh          # as root; safe to run again, fast when nothing changed
#
# 1. Debian packages the Swift build needs: libedit (line editor), OpenBLAS (cblas), pkg-config,
#    tmux (terminal tests of the REPL) and chromium-headless-shell (screenshots of the HTML
#    report). `apt-get update` runs only when one is missing.
# 2. A Python venv at .venv (repo root) with the pinned reference clients from
#    scripts/requirements.txt (ONNX Runtime, LiteRT, onnx, numpy, pytest). pip runs only when
#    requirements.txt or the interpreter changed since the last run (stamp file in .venv).
#
# torch is deliberately not installed here: it is only needed to regenerate the sample model and
# the test fixtures (scripts/make-sample-data.py, scripts/make-fixtures.py); see those scripts.
#
# Environment: PYTHON (interpreter for the venv, default python3), JUMPSTATION_SKIP_APT=1 to skip
# the Debian step (e.g. when not root).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

log() { printf 'setup: %s\n' "$*" >&2; }

# --- 1. Debian packages -------------------------------------------------------------------------
debian_packages=(libedit-dev libopenblas-dev pkg-config tmux chromium-headless-shell)

if [ "${JUMPSTATION_SKIP_APT:-0}" = "1" ]; then
  log "skipping Debian packages (JUMPSTATION_SKIP_APT=1)"
else
  missing=()
  for pkg in "${debian_packages[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    if [ "$status" != "install ok installed" ]; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "Debian packages present: ${debian_packages[*]}"
  else
    if [ "$(id -u)" -ne 0 ]; then
      log "missing Debian packages: ${missing[*]} (run as root, or install them yourself)"
      exit 1
    fi
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
fi

# --- 2. Python venv -----------------------------------------------------------------------------
python="${PYTHON:-python3}"
venv="$root/.venv"
requirements="$root/scripts/requirements.txt"
stamp="$venv/.jumpstation-requirements.sha256"

if ! command -v "$python" >/dev/null 2>&1; then
  log "no Python interpreter '$python' found (set PYTHON=...)"
  exit 1
fi

# A venv whose interpreter no longer runs (moved, or its base Python was removed) is rebuilt.
if [ -d "$venv" ] && ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  log "venv at .venv is broken; recreating it"
  rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
  log "creating venv at .venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
  rm -f "$stamp"
fi

# The stamp covers the requirements and the venv's interpreter version.
want="$( (sha256sum "$requirements" | cut -d' ' -f1; "$venv/bin/python" -c 'import sys; print(sys.version)') | sha256sum | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"
if [ "$want" = "$have" ]; then
  log "Python packages up to date (scripts/requirements.txt unchanged)"
else
  log "installing Python packages from scripts/requirements.txt"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  printf '%s\n' "$want" >"$stamp"
fi

log "done"
