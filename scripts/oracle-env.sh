# Make .venv-oracle: the acl-anthology library the tests compare bibkg with, in its own venv.
# Sourced by scripts/test.sh (exports BIBKG_ORACLE_PYTHON), or run alone: bash scripts/oracle-env.sh
#
# Why a venv of its own: acl-anthology 0.5.4 pins anyio<4 (app-paths -> aiopath) while FastAPI
# needs anyio>=4.1; in one venv pip backtracks for minutes and then tests an older FastAPI stack
# than users get.  Idempotent: reinstalls only when tests/oracle/requirements.txt changed (its
# hash is the stamp).  Never fails the caller: without the oracle its tests skip with a reason.
# BIBKG_ORACLE_VENV puts the venv elsewhere.
_oracle_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_oracle_venv="${BIBKG_ORACLE_VENV:-$_oracle_root/.venv-oracle}"
_oracle_req="$_oracle_root/tests/oracle/requirements.txt"
_oracle_stamp="$_oracle_venv/.bibkg-oracle-installed"
_oracle_want="$(sha256sum "$_oracle_req" | cut -c1-64)"
if [ "$(cat "$_oracle_stamp" 2>/dev/null)" != "$_oracle_want" ]; then
  rm -f "$_oracle_stamp"
  if { [ -x "$_oracle_venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$_oracle_venv"; } \
     && "$_oracle_venv/bin/python" -m pip install --quiet --disable-pip-version-check \
          --requirement "$_oracle_req"; then
    echo "$_oracle_want" > "$_oracle_stamp"
  else
    echo "scripts/oracle-env.sh: could not make $_oracle_venv (the acl-anthology oracle tests will skip)" >&2
  fi
fi
if [ -f "$_oracle_stamp" ]; then
  export BIBKG_ORACLE_PYTHON="$_oracle_venv/bin/python"
fi
unset _oracle_root _oracle_venv _oracle_req _oracle_stamp _oracle_want
true
