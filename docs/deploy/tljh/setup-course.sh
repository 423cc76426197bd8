#!/usr/bin/env bash
# Set up this course on a Littlest JupyterHub (TLJH) server. Run it once, and again after each
# course update, from a terminal on the hub, as an admin, from the course folder you cloned:
#
#     cd ~/cps-course && sudo bash docs/deploy/tljh/setup-course.sh
#
# What it does (docs/instructors/tljh.md explains each step):
#   1. installs the course's Python package (and with it nbgrader), and nbgitpuller, into TLJH's
#      user environment, the Python every learner's server runs. It copies the package: learners
#      cannot read an instructor's home folder, so an "editable" install would break for them;
#   2. makes the shared exchange folder nbgrader passes assignments through;
#   3. puts the hub-wide nbgrader settings in /etc/jupyter/nbgrader_config.py;
#   4. hides the instructor tools (formgrader, Create Assignment) from learners;
#   5. makes every learner's home folder private (new ones too), so no learner can read
#      another's answers, feedback or nbgrader files;
#   6. makes JupyterLab the default interface and reloads the hub.
set -euo pipefail

COURSE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
USER_ENV="${TLJH_USER_ENV:-/opt/tljh/user}"
EXCHANGE="/srv/nbgrader/exchange"

if [ "$(id -u)" -ne 0 ]; then
  echo "Please run this with sudo: sudo bash docs/deploy/tljh/setup-course.sh" >&2
  exit 1
fi

echo "1. Installing the course package into $USER_ENV"
# pip builds and reinstalls a folder every time, so this also brings in a course update.
# nbgitpuller makes the links that hand out course updates (docs/instructors/course-updates.md).
"$USER_ENV/bin/python" -m pip install --no-cache-dir "$COURSE_DIR" nbgitpuller

echo "2. Making the exchange folder $EXCHANGE"
install -d -m 0777 "$EXCHANGE"

echo "3. Writing /etc/jupyter/nbgrader_config.py"
install -d -m 0755 /etc/jupyter
install -m 0644 "$COURSE_DIR/docs/deploy/tljh/nbgrader_config.py" /etc/jupyter/nbgrader_config.py

echo "4. Hiding the instructor tools from learners"
"$USER_ENV/bin/jupyter" server extension disable --sys-prefix nbgrader.server_extensions.formgrader
"$USER_ENV/bin/jupyter" labextension disable --level=sys_prefix @jupyter/nbgrader:formgrader
"$USER_ENV/bin/jupyter" labextension disable --level=sys_prefix @jupyter/nbgrader:create-assignment

echo "5. Making learners' home folders private"
# TLJH makes each learner's home with useradd, which reads HOME_MODE; Debian and Ubuntu
# default to 0755, so anyone could read another learner's fetched feedback.
if grep -q '^HOME_MODE' /etc/login.defs; then
  sed -i 's/^HOME_MODE.*/HOME_MODE\t0700/' /etc/login.defs
else
  printf 'HOME_MODE\t0700\n' >> /etc/login.defs
fi
for home in /home/jupyter-*; do
  [ -d "$home" ] && chmod 0700 "$home"
done

echo "6. JupyterLab by default, then reloading the hub"
tljh-config set user_environment.default_app jupyterlab
tljh-config reload

echo "Done. Instructors: follow 'Turn on your own grading tools' in docs/instructors/tljh.md."
