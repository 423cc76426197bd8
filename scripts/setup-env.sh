# Shared by open-course.sh and run-tests.sh: make ./.venv with the course installed.
# Usage: source scripts/setup-env.sh [pip extras, e.g. "[test]"]
#
# A newcomer sees one line while it installs; pip's own words go to .venv/install.log and are
# shown only if something fails. Later runs skip pip unless pyproject.toml changed (the course
# is installed in editable mode, so new content needs no reinstall). Linux and macOS: apt is
# used only where Python cannot make a virtual environment and apt-get exists (Debian or
# Ubuntu without python3-venv); anywhere else a plain sentence says what to install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  # Installs Debian/Ubuntu packages that are missing; asks for sudo only when needed.
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Please install $* with your computer's package manager, then run this again." >&2
    return 1
  fi
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

pick_python() {
  # The first Python 3.10 or newer ($PYTHON first, if set): macOS's own python3 may be 3.9.
  local candidate
  for candidate in ${PYTHON:-} python3 python3.13 python3.12 python3.11 python3.10; do
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  if ! python=$(pick_python); then
    echo "The course needs Python 3.10 or newer, and this computer does not have it yet." >&2
    echo "Install it (python.org, or your package manager), then run this again." >&2
    exit 1
  fi
  if ! "$python" -m venv .venv >/dev/null 2>&1; then
    rm -rf .venv
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "Python could not make the course's own folder of programs (.venv)." >&2
      echo "Install Python 3.10 or newer from python.org, then run this again." >&2
      exit 1
    fi
    apt_install python3-venv
    "$python" -m venv .venv
  fi
fi

extras=${1:-}
installed=".venv/.installed$extras"
wanted="$(cksum <pyproject.toml)"
if [ "$(cat "$installed" 2>/dev/null)" != "$wanted" ]; then
  if [ -n "$extras" ]; then
    echo "Installing the course and its test tools, a few minutes…"
  else
    echo "Installing the course, about 2 minutes…"
  fi
  if ! { .venv/bin/python -m pip install --upgrade pip &&
    .venv/bin/python -m pip install -e ".$extras"; } >.venv/install.log 2>&1; then
    echo "Installing did not work. The last lines of .venv/install.log say why:" >&2
    tail -n 15 .venv/install.log >&2
    exit 1
  fi
  echo "$wanted" >"$installed"
  # The test tools come on top of the course: installing them installs the course too.
  [ -z "$extras" ] || echo "$wanted" >.venv/.installed
fi
export PATH="$PWD/.venv/bin:$PATH"
