#!/usr/bin/env bash
# README command 1: install the course (the first time only), then open it.
#
#   bash scripts/open-course.sh               for learners: the course as an app, home page first
#   bash scripts/open-course.sh --instructor  JupyterLab on the whole course folder, every tool
#
# A learner's server shows only modules/ (no solutions/, tests/ or build files) and opens
# each module with Voila: its code hidden, run as it opens. JupyterLab stays at /lab, without
# nbgrader's authoring tools, Jupyter news, Terminal or Console (scripts/jupyter/README.md).
# The window shows a learner's words only: the server's own log goes to .venv/open-course.log.
# For tests: CPS_PORT=<port>; CPS_NO_BROWSER=1 (or CI set, or no display) opens no browser.
set -euo pipefail
case "${1:-}" in
  "") mode=learner ;;
  --instructor) mode=instructor ;;
  *)
    echo "Usage: bash scripts/open-course.sh [--instructor]" >&2
    exit 2
    ;;
esac
set -- # a sourced script sees this one's arguments: setup-env.sh takes no extras here
source "$(dirname "$0")/setup-env.sh"

server=(jupyter lab --ServerApp.ip=127.0.0.1)
[ -z "${CPS_PORT:-}" ] || server+=(--ServerApp.port="$CPS_PORT" --ServerApp.port_retries=0)
[ "$(id -u)" != 0 ] || server+=(--allow-root)
if [ -n "${CPS_NO_BROWSER:-}${CI:-}" ] ||
  { [ "$(uname)" != Darwin ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; }; then
  server+=(--no-browser) # with no screen, Python would pick a text browser in this window
fi
if [ "$mode" = learner ]; then
  config="$PWD/scripts/jupyter"
  layers="$config/self-paced:$config/learner:$config/app-view" # the first wins
  export JUPYTER_CONFIG_PATH="$layers${JUPYTER_CONFIG_PATH:+:$JUPYTER_CONFIG_PATH}"
  export JUPYTER_PATH="$config/share${JUPYTER_PATH:+:$JUPYTER_PATH}"
  server+=(--ServerApp.root_dir="$PWD/modules")
  page=voila/render/home.ipynb
else
  page=lab/tree/modules/00-start-here/00-start-here.ipynb
  server+=(--ServerApp.root_dir="$PWD" --LabApp.default_url="/$page")
fi

log=.venv/open-course.log
echo "Starting the course…"
"${server[@]}" </dev/null >"$log" 2>&1 &
pid=$!
# Ctrl+C reaches this script; the server (in the background) is stopped by it, cleanly.
trap 'kill -TERM "$pid" 2>/dev/null || true' INT TERM
waited=0
address=$(python scripts/course_address.py "$pid" "$page") || waited=$?
if [ "$waited" = 0 ]; then
  echo "The course is open at $address  Keep this window open; press Ctrl+C to stop."
fi
if [ "$waited" = 0 ] || [ "$waited" = 130 ]; then
  wait "$pid" || true # returns when Ctrl+C is pressed; the server then shuts down its kernels
  wait "$pid" 2>/dev/null || true
  echo "The course has stopped. Your answers are saved."
  exit 0
fi
kill -TERM "$pid" 2>/dev/null || true
echo "The course did not start. The last lines of $log say why:" >&2
tail -n 15 "$log" >&2
exit 1
