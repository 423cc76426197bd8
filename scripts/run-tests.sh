#!/usr/bin/env bash
# Install everything the tests need (first time only) and run every test.
set -euo pipefail
source "$(dirname "$0")/setup-env.sh" "[test]"

# Real browser tests use Debian's Chromium; the hub test needs configurable-http-proxy (npm);
# the static site's build needs Pyodide (npm) and its test runs Pyodide under Node.js. The site's
# own build tools are installed by scripts/build-site.sh, which its test runs.
command -v chromium >/dev/null 2>&1 || apt_install chromium
# The TLJH guide's test gives its instructor sudo, as TLJH gives admins (tests/test_tljh_guide.py).
command -v sudo >/dev/null 2>&1 || apt_install sudo
if { ! command -v configurable-http-proxy >/dev/null 2>&1 && [ ! -x node_modules/.bin/configurable-http-proxy ]; } ||
  [ ! -f node_modules/pyodide/pyodide.asm.wasm ]; then
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  npm ci --no-audit --no-fund --silent
fi
export PATH="$PWD/node_modules/.bin:$PATH"

ruff check .
# Both cores: one notebook's nbval cells (and each test file's servers) stay on one worker.
python -m pytest -n "${TEST_WORKERS:-2}" --dist loadscope "$@"
