#!/usr/bin/env bash
# The README's two set-up commands on a fresh clone with an empty pip cache, timed (issue 11 #4).
#
#   bash benchmarks/bench_fresh_install.sh [PORT]      (default 8000; about a minute or two)
#
# Clones this repository's HEAD into a temporary directory and, with an empty PIP_CACHE_DIR and
# empty BIBKG_CACHE / XDG_DATA_HOME (so the sample is ingested anew):
#  1. starts `bash scripts/demo.sh --port PORT` and times it until /health answers;
#  2. while that demo runs, times `bash scripts/test.sh --co -q` (the install plus test
#     collection, not the suite), with BIBKG_NO_APT=1 so Chromium is not apt-installed;
#  3. checks the demo's packages did not change and the demo still answers a SPARQL query;
#  4. times the test command a second time (nothing changed: no pip at all);
#  5. installs `pip install -e '.[test]'` into a second fresh venv and compares its
#     fastapi / starlette / anyio / uvicorn with the demo's (the tested stack is the installed one).
# Prints one line per figure.  Network access to the package index is needed.
set -euo pipefail
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${1:-8000}"
WORK="$(mktemp -d /tmp/bibkg-fresh.XXXXXX)"
git clone --quiet "$SRC" "$WORK/repo"
export PIP_CACHE_DIR="$WORK/pip-cache" BIBKG_CACHE="$WORK/bibkg-cache" XDG_DATA_HOME="$WORK/xdg"
unset BIBKG_STORE BIBKG_ORACLE_PYTHON BIBKG_VENV VIRTUAL_ENV
cd "$WORK/repo"
STACK='^(fastapi|starlette|anyio|uvicorn|strawberry-graphql|httpx)=='
stack() { "$1" -m pip list --format=freeze 2>/dev/null | grep -iE "$STACK" | sort; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

started=$(now)
setsid bash scripts/demo.sh --port "$PORT" > "$WORK/demo.log" 2>&1 &
demo=$!
trap 'kill -- -"$demo" 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do
  if ! kill -0 "$demo" 2>/dev/null; then echo "demo exited:"; cat "$WORK/demo.log"; exit 1; fi
  sleep 0.2
done
echo "demo.sh until /health answers: $(since "$started") s"
before="$(stack .venv/bin/python)"

started=$(now)
BIBKG_NO_APT=1 bash scripts/test.sh --co -q > "$WORK/test.log" 2>&1 || { tail -20 "$WORK/test.log"; exit 1; }
echo "test.sh --co -q (install + collection): $(since "$started") s; $(tail -1 "$WORK/test.log")"
after="$(stack .venv/bin/python)"
if [ "$before" = "$after" ]; then echo "demo's stack unchanged by test.sh: $(echo $after)"; else
  echo "CHANGED by test.sh:"; diff <(echo "$before") <(echo "$after") || true; fi
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D" -H 'Accept: application/sparql-results+json')
echo "demo answers a SPARQL query after test.sh: HTTP $code"
oracle="$(.venv-oracle/bin/python -m pip list --format=freeze 2>/dev/null | grep -iE '^(acl-anthology|anyio)==' | tr '\n' ' ')"
echo "oracle venv: $oracle"

started=$(now)
BIBKG_NO_APT=1 bash scripts/test.sh --co -q > "$WORK/test2.log" 2>&1
echo "test.sh --co -q again, nothing changed: $(since "$started") s"

started=$(now)
python3 -m venv "$WORK/venv-test"
"$WORK/venv-test/bin/python" -m pip install --quiet --editable "$WORK/repo[test]" 2>/dev/null
echo "fresh venv, pip install -e '.[test]': $(since "$started") s"
if [ "$(stack "$WORK/venv-test/bin/python")" = "$after" ]; then echo "same stack as the demo's .venv"; else
  echo "DIFFERENT stack:"; diff <(echo "$after") <(stack "$WORK/venv-test/bin/python") || true; fi
kill -- -"$demo" 2>/dev/null || true
trap - EXIT
rm -rf "$WORK"
