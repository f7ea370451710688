# Sourced by the other scripts: make .venv (Python >= 3.11) with bibkg installed in it.
# BIBKG_EXTRAS selects optional dependencies (e.g. "test").
#
# Idempotent: pip runs only when pyproject.toml changed since the last install of these extras
# (its hash is the stamp, so a checkout that only touches the file's time installs nothing), and
# the "test" install also counts for the plain one.  The test extra adds test tools only, never
# another version of what bibkg itself runs on, so scripts/test.sh leaves a running demo's
# packages alone (the acl-anthology oracle, which would not, has .venv-oracle: oracle-env.sh).
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
want="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-64)"
stamp="$VENV/.bibkg-installed-${BIBKG_EXTRAS:-base}"
installed() { [ "$(cat "$1" 2>/dev/null)" = "$want" ]; }
if ! installed "$stamp" && ! { [ -z "${BIBKG_EXTRAS:-}" ] && installed "$VENV/.bibkg-installed-test"; }; then
  "$VENV/bin/python" -m pip install --quiet --editable "$spec"
  echo "$want" > "$stamp"
fi
export PATH="$VENV/bin:$PATH"
