#!/usr/bin/env bash
# The code's habits, checked: ruff's rules (pyproject.toml), ruff's formatting, mypy on src/.
# Run by scripts/test.sh before the tests; alone: bash scripts/lint.sh (after scripts/env.sh
# with BIBKG_EXTRAS=test, which installs the pinned ruff and mypy).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${BIBKG_VENV:-$ROOT/.venv}"
cd "$ROOT"
status=0
"$VENV/bin/ruff" check src tests benchmarks || status=1
"$VENV/bin/ruff" format --check --quiet src tests benchmarks || { echo "lint: run 'ruff format' (files above)" >&2; status=1; }
"$VENV/bin/mypy" --python-executable "$VENV/bin/python" || status=1
exit "$status"
