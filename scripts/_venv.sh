# shellcheck shell=bash
# Sourced by scripts/test, scripts/serve and .ci/run (not run on its own).
#
# ensure_venv: make sure .venv exists and holds this checkout installed with its test extras
#   (`pip install -e '.[test]'`), then activate it. It reinstalls when pyproject.toml changed since
#   the last install, so a fresh clone and a changed dependency list both just work.
# install_project: create .venv and install, unconditionally (CI uses it on a clean clone).
#
# PYTHON (default python3) is the interpreter the venv is made from.

DEELWIJZER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEELWIJZER_VENV="$DEELWIJZER_ROOT/.venv"
DEELWIJZER_STAMP="$DEELWIJZER_VENV/.deelwijzer-installed"

_project_stamp() {
    sha256sum "$DEELWIJZER_ROOT/pyproject.toml" | cut -d' ' -f1
}

install_project() {
    echo "==> creating $DEELWIJZER_VENV and installing deelwijzer with its test extras" >&2
    "${PYTHON:-python3}" -m venv "$DEELWIJZER_VENV"
    (cd "$DEELWIJZER_ROOT" && "$DEELWIJZER_VENV/bin/python" -m pip install \
        --disable-pip-version-check --quiet -e '.[test]')
    _project_stamp > "$DEELWIJZER_STAMP"
}

ensure_venv() {
    if [[ ! -x "$DEELWIJZER_VENV/bin/python" ]] \
        || [[ "$(cat "$DEELWIJZER_STAMP" 2>/dev/null)" != "$(_project_stamp)" ]]; then
        install_project
    fi
    # shellcheck disable=SC1091
    source "$DEELWIJZER_VENV/bin/activate"
}
