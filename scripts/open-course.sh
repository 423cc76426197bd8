#!/usr/bin/env bash
# Install the course (first time only) and open it in JupyterLab at the first module.
set -euo pipefail
source "$(dirname "$0")/setup-env.sh"
ROOT_FLAG=()
[ "$(id -u)" = 0 ] && ROOT_FLAG=(--allow-root)
# Serve the whole course folder (so every module is in the file browser) and open Module 0.
exec jupyter lab "${ROOT_FLAG[@]}" --ServerApp.root_dir="$PWD" \
  --LabApp.default_url=/lab/tree/modules/00-start-here/00-start-here.ipynb
