# Shared by scripts/serve and scripts/test: create .venv and install kb_app when needed.
set -euo pipefail
cd "$(dirname "$0")/.."
# The newest supported Python (3.13, 3.12, 3.11) that runs here, unless PYTHON names one.
supported() { "$1" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' >/dev/null 2>&1; }
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for c in python3.13 python3.12 python3.11 python3; do
    if command -v "$c" >/dev/null 2>&1 && supported "$c"; then PY=$c; break; fi
  done
fi
[ -n "$PY" ] && supported "$PY" || { echo "需要 Python 3.11、3.12 或 3.13：请先安装，或用 PYTHON=/path/to/python3 指定。" >&2; exit 1; }
VENV=${KB_VENV:-.venv}
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
extras=${KB_EXTRAS:-}
stamp=$VENV/.kb-installed${extras:+-$extras}
want=$(cat pyproject.toml | sha1sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "正在安装依赖……"
  log=$VENV/install.log
  if ! { "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip \
         && "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".${extras:+[$extras]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "依赖安装失败：请检查网络或上面的错误信息后重试。" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi
