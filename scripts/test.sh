#!/usr/bin/env bash
# Install everything the tests need into .venv (and the acl-anthology oracle into .venv-oracle)
# and run the whole test suite, after scripts/lint.sh (ruff, ruff format, mypy; a failure of
# either fails the command).
# Tests that need the full corpus (../shared/corpora/...) skip with a reason when it is absent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIBKG_EXTRAS=test source "$ROOT/scripts/env.sh"
source "$ROOT/scripts/oracle-env.sh"  # .venv-oracle; exports BIBKG_ORACLE_PYTHON, never fails
# BIBKG_NO_APT=1: leave the system alone (no apt-get for Chromium; the browser tests then skip)
if [ -z "${BIBKG_NO_APT:-}" ] && [ -x "$ROOT/scripts/browser.sh" ]; then bash "$ROOT/scripts/browser.sh"; fi
# The external SPARQL servers of tests/external (Oxigraph server from PyPI; Virtuoso from apt
# unless BIBKG_NO_APT); never fails here: the tests skip (or, with CI=true, fail) saying why.
if [ -x "$ROOT/scripts/external-servers.sh" ]; then
  bash "$ROOT/scripts/external-servers.sh" install oxigraph || true
  if [ -z "${BIBKG_NO_APT:-}" ]; then bash "$ROOT/scripts/external-servers.sh" install virtuoso || true; fi
fi
cd "$ROOT"
set +e
bash "$ROOT/scripts/lint.sh"
lint=$?
python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "scripts/test.sh: pytest collected no tests; that is a failure here" >&2
  exit 1
fi
if [ "$lint" -ne 0 ] && [ "$status" -eq 0 ]; then
  echo "scripts/test.sh: the tests passed but scripts/lint.sh did not (output above)" >&2
  exit 1
fi
exit "$status"
