# Shared by scripts/serve and scripts/test: create .venv and install kb_app when needed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for c in python3.11 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then PY=$c; break; fi
  done
fi
[ -n "$PY" ] || { echo "需要 Python 3.11：请先安装，或用 PYTHON=/path/to/python3.11 指定。" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PY" -m venv .venv
extras=${KB_EXTRAS:-}
stamp=.venv/.kb-installed${extras:+-$extras}
want=$(cat pyproject.toml | sha1sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "正在安装依赖……"
  log=.venv/install.log
  if ! { .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip \
         && .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras:+[$extras]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "依赖安装失败：请检查网络或上面的错误信息后重试。" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi
