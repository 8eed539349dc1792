# Shared helpers for the scripts in script/. Source it; do not run it.
# shellcheck shell=bash

DH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DH_CACHE="${DH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/dianhong}"
DH_JOBS="${DH_JOBS:-2}"
# Debian's emcc runs its JS optimizer with node, which needs acorn from here.
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"

dh_say()  { printf '==> %s\n' "$*" >&2; }
dh_die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command as root (directly when we are root, else through sudo).
dh_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else dh_die "need root to run: $*"
  fi
}

# The Emscripten version the project expects (emsdk-version.txt).
dh_expected_emcc() { tr -d ' \n\r' < "$DH_ROOT/emsdk-version.txt"; }
# The whole output is read (no `head`): under pipefail a `head` that exits
# first can kill emcc with SIGPIPE and fail the caller at random.
dh_actual_emcc() { local v; v=$(emcc --version 2>/dev/null) || true; sed -n '1s/.*) \([0-9][0-9.]*\).*/\1/p' <<<"$v"; }
