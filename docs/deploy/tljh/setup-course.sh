#!/usr/bin/env bash
# Set up this course on a Littlest JupyterHub (TLJH) server. Run it once, and again after each
# course update, from a terminal on the hub, as an admin, from the course folder you cloned:
#
#     cd ~/cps-course && sudo bash docs/deploy/tljh/setup-course.sh
#
# What it does (docs/instructors/tljh.md explains each step):
#   1. installs the course's Python package (and with it nbgrader), and nbgitpuller, into TLJH's
#      user environment, the Python every learner's server runs. It copies the package: learners
#      cannot read an instructor's home folder, so an "editable" install would break for them.
#      It builds from a temporary copy, so nothing in your course folder ends up owned by root;
#   2. makes the shared exchange folder nbgrader passes assignments through;
#   3. puts the hub-wide nbgrader settings in /etc/jupyter/nbgrader_config.py;
#   4. turns the instructor tools (formgrader, Create Assignment) off for everyone and locks
#      them, so learners cannot turn them back on; `python -m course.instructor_tools` turns
#      them on again for one instructor (step 8 of the guide);
#   5. makes every learner's home folder private (new ones too), so no learner can read
#      another's answers, feedback or nbgrader files;
#   6. makes JupyterLab the default interface and reloads the hub (TLJH's tljh-config).
set -euo pipefail

COURSE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
# Where things are on a TLJH server.
USER_ENV="/opt/tljh/user"
EXCHANGE="/srv/nbgrader/exchange"
ETC_JUPYTER="/etc/jupyter"
LOGIN_DEFS="/etc/login.defs"
# The course's own test (tests/test_tljh_guide.py) puts them elsewhere with these variables.
# On a hub, set none of them.
USER_ENV="${TLJH_USER_ENV:-$USER_ENV}"
EXCHANGE="${TLJH_EXCHANGE:-$EXCHANGE}"
ETC_JUPYTER="${TLJH_ETC_JUPYTER:-$ETC_JUPYTER}"
LOGIN_DEFS="${TLJH_LOGIN_DEFS:-$LOGIN_DEFS}"

if [ "$(id -u)" -ne 0 ]; then
  echo "Please run this with sudo: sudo bash docs/deploy/tljh/setup-course.sh" >&2
  exit 1
fi
if [ ! -x "$USER_ENV/bin/python" ]; then
  echo "There is no Python at $USER_ENV/bin/python. Is this a TLJH server? See docs/instructors/tljh.md, Part A." >&2
  exit 1
fi

echo "1. Installing the course package into $USER_ENV"
# pip builds and reinstalls a folder every time, so this also brings in a course update.
# It builds in a copy of the three things the package is made of: pip's build files (build/,
# *.egg-info) would otherwise be left in your course folder, owned by root.
# nbgitpuller makes the links that hand out course updates (docs/instructors/course-updates.md).
BUILD="$(mktemp -d)"
trap 'rm -rf "$BUILD"' EXIT
(cd "$COURSE_DIR" && cp -R pyproject.toml README.md course "$BUILD/")
"$USER_ENV/bin/python" -m pip install --quiet --no-cache-dir --root-user-action=ignore --disable-pip-version-check \
  "$BUILD" nbgitpuller

echo "2. Making the exchange folder $EXCHANGE"
# Everyone may write in it; only a folder's owner may remove it (mode 1777, as /tmp).
install -d -m 1777 "$EXCHANGE"

echo "3. Writing $ETC_JUPYTER/nbgrader_config.py"
install -d -m 0755 "$ETC_JUPYTER"
sed "s|/srv/nbgrader/exchange|$EXCHANGE|" "$COURSE_DIR/docs/deploy/tljh/nbgrader_config.py" \
  > "$ETC_JUPYTER/nbgrader_config.py"
chmod 0644 "$ETC_JUPYTER/nbgrader_config.py"

echo "4. Hiding the instructor tools from learners"
# Off for everyone, and locked, so a learner cannot turn them on in JupyterLab's Plugin Manager.
# Jupyter's commands say "Validation failed" and still end well when they did nothing, so their
# words are read too; they are shown only when something went wrong.
quietly() {
  local said
  if ! said="$("$@" 2>&1)" || grep -q -e "Validation failed" -e "locked at a higher level" <<< "$said"; then
    printf '%s\n' "$said" >&2
    echo "Could not hide the instructor tools: this did not work: $*" >&2
    exit 1
  fi
}
quietly "$USER_ENV/bin/jupyter" server extension disable --sys-prefix nbgrader.server_extensions.formgrader
quietly "$USER_ENV/bin/jupyter" labextension disable --level=sys_prefix @jupyter/nbgrader:formgrader
quietly "$USER_ENV/bin/jupyter" labextension disable --level=sys_prefix @jupyter/nbgrader:create-assignment
quietly "$USER_ENV/bin/jupyter" labextension lock --level=sys_prefix @jupyter/nbgrader:formgrader @jupyter/nbgrader:create-assignment

echo "5. Making learners' home folders private"
# TLJH makes each learner's home with useradd, which reads HOME_MODE; Debian and Ubuntu
# default to 0755, so anyone could read another learner's fetched feedback.
if grep -q '^HOME_MODE' "$LOGIN_DEFS"; then
  sed -i 's/^HOME_MODE.*/HOME_MODE\t0700/' "$LOGIN_DEFS"
else
  printf 'HOME_MODE\t0700\n' >> "$LOGIN_DEFS"
fi
for home in /home/jupyter-*; do
  [ -d "$home" ] && chmod 0700 "$home"
done

echo "6. JupyterLab by default, then reloading the hub"
if command -v tljh-config > /dev/null 2>&1; then
  tljh-config set user_environment.default_app jupyterlab
  tljh-config reload
else
  echo "   tljh-config is not on this server, so this step is skipped. (On TLJH it is always there.)"
fi

echo "Done. Next, step 8 of docs/instructors/tljh.md: python -m course.instructor_tools"
