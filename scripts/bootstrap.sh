# Sourced by scripts/run and scripts/test: installs what they need, once.
# - a virtualenv in .venv with the project and exactly the versions (and hashes) of its lock file
#   (requirements/<extras>.lock, made by scripts/lock from pyproject.toml);
# - Debian packages given to need_debian, when their command is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

ensure_venv() {
    local extras="$1" stamp="$VENV/.installed-$1"
    local lock="$ROOT/requirements/$1.lock" want
    want="$(cat "$lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
    if [ ! -x "$PY" ]; then
        python3 -m venv "$VENV"
    fi
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "==> installing Python dependencies ($extras) into .venv from ${lock#"$ROOT"/}"
        "$PY" -m pip install --quiet --upgrade pip
        "$PY" -m pip install --quiet --require-hashes --no-deps -r "$lock"
        "$PY" -m pip install --quiet --no-deps -e "$ROOT"
        echo "$want" > "$stamp"
    fi
}

# need_debian COMMAND PACKAGE...: install PACKAGEs from Debian when COMMAND is missing.
need_debian() {
    local cmd="$1"; shift
    if ! command -v "$cmd" >/dev/null 2>&1; then
        echo "==> installing $* from Debian's packages"
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
    fi
}
