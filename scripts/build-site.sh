#!/usr/bin/env bash
# Build the course as a static web site that runs in the browser, with nothing to install for
# learners (README: "No install: the course in your web browser"):
#
#   bash scripts/build-site.sh            makes the folder _site/
#   bash scripts/build-site.sh <folder>   makes that folder instead
#
# Any static host serves the folder as it is (GitHub Pages, a web server, or
# `python -m http.server` from a USB stick). The first time, this installs the build tools
# (scripts/site/requirements.txt, into .site-tools/) and Pyodide (package.json, with npm) and
# downloads the Python packages the pages need from PyPI; later builds take about a minute.
# Run from an active virtual or conda environment that has the course installed, it uses that
# one; otherwise the course's own .venv, made as `bash scripts/open-course.sh` makes it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-_site}
if [ -z "${VIRTUAL_ENV:-}${CONDA_PREFIX:-}" ] || ! python -c "import course, voila" >/dev/null 2>&1; then
  set -- # a sourced script sees this one's arguments: setup-env.sh takes no extras here
  source scripts/setup-env.sh
fi

tools=.site-tools
wanted="$(cksum <scripts/site/requirements.txt)"
if [ "$(cat "$tools/.installed" 2>/dev/null)" != "$wanted" ]; then
  echo "Installing the site's build tools (the first time only)…"
  rm -rf "$tools/lib"
  mkdir -p "$tools"
  if ! python -m pip install --disable-pip-version-check --no-deps --target "$tools/lib" \
    -r scripts/site/requirements.txt >"$tools/install.log" 2>&1; then
    echo "Installing the build tools did not work. The last lines of $tools/install.log say why:" >&2
    tail -n 15 "$tools/install.log" >&2
    exit 1
  fi
  echo "$wanted" >"$tools/.installed"
fi

if [ ! -f node_modules/pyodide/pyodide.asm.wasm ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "Building the site needs npm (it comes with Node.js) to get Pyodide, Python for the" >&2
    echo "browser. Install Node.js from nodejs.org or your package manager, then run this again." >&2
    exit 1
  fi
  echo "Getting Pyodide, Python for the browser (the first time only)…"
  npm ci --no-audit --no-fund --silent
fi

python -m course.static_site --out "$out"
