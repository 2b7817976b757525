#!/usr/bin/env bash
# One entry point for the README's two commands.
#   bash scripts/dev.sh serve   install everything (pinned), build the site, serve it on :8000
#   bash scripts/dev.sh test    install what the tests need, run the whole test suite
# Uses ./.venv unless CONVNOTES_NO_VENV=1 (CI installs into the system Python).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
usage: bash scripts/dev.sh serve|build|test [pytest arguments]
  serve   install everything (pinned), build the site, serve it on 127.0.0.1:8000
          (CONVNOTES_ADDR=host:port to change)
  build   install everything (pinned), build the site into site/ (mkdocs build --strict)
  test    install what the tests need, run the whole test suite (extra arguments go to pytest;
          CONVNOTES_TEST_WORKERS=N workers, default auto)
Uses ./.venv unless CONVNOTES_NO_VENV=1. For the CPU build of torch on Linux:
  PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu bash scripts/dev.sh test
EOF
}

cmd="${1:-}"
case "$cmd" in
  serve|build|test) ;;
  -h|--help|help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

if [ "${CONVNOTES_NO_VENV:-0}" != "1" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi

pip install -q -c constraints.txt -e ".[dev]"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi

case "$cmd" in
  # serve builds once (strict: a warning stops it) and rebuilds on every change it watches.
  serve) mkdocs serve --strict -a "${CONVNOTES_ADDR:-127.0.0.1:8000}" ;;
  build) mkdocs build --strict ;;
  test)  python -m pytest -n "${CONVNOTES_TEST_WORKERS:-auto}" "${@:2}" ;;
esac
