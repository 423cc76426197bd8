#!/usr/bin/env bash
# Install the course (first time only) and open it in JupyterLab at the first module.
set -euo pipefail
source "$(dirname "$0")/setup-env.sh"
ROOT_FLAG=()
[ "$(id -u)" = 0 ] && ROOT_FLAG=(--allow-root)
exec jupyter lab "${ROOT_FLAG[@]}" modules/00-start-here/00-start-here.ipynb
