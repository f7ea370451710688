# Sourced by the other scripts: make .venv (Python >= 3.11) with bibkg installed in it.
# BIBKG_EXTRAS selects optional dependencies (e.g. "test").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${BIBKG_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
spec="$ROOT"
if [ -n "${BIBKG_EXTRAS:-}" ]; then spec="$ROOT[$BIBKG_EXTRAS]"; fi
stamp="$VENV/.bibkg-installed-${BIBKG_EXTRAS:-base}"
if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
  "$VENV/bin/python" -m pip install --quiet --editable "$spec"
  touch "$stamp"
fi
export PATH="$VENV/bin:$PATH"
