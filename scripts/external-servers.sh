#!/usr/bin/env bash
# Install, load and start the external SPARQL servers of the README's scale-out path, on loopback:
#   Oxigraph server (PyPI package `oxigraph`, pinned, in its own venv .venv-oxigraph) and
#   Virtuoso 7 (Debian package `virtuoso-opensource`).
#
# Usage:
#   scripts/external-servers.sh install oxigraph|virtuoso|all    # idempotent; quiet
#   scripts/external-servers.sh start oxigraph|virtuoso DUMP.nq DIR PORT
#       load DUMP (N-Quads, e.g. `bibkg export --format nquads` or STORE/dumps/<snapshot>/bibkg.nq)
#       into DIR (once: a DIR already loaded from the same file, size and mtime is reused) and
#       serve it on 127.0.0.1:PORT (Virtuoso also takes PORT+1 for its SQL port); prints the
#       SPARQL endpoint URL as the last line.  A server already running from DIR is reused.
#   scripts/external-servers.sh stop DIR                          # stop the server of DIR
#
# The settings each server needs for bibkg (see README "Pointing bibkg at an external SPARQL
# store"): Oxigraph `serve-read-only --union-default-graph`; Virtuoso's system graphs hidden from
# the SPARQL user (graph-level permissions: the default graph is then exactly bibkg's graphs).
# Exit codes: 0 ok, 1 failure (message on stderr), 3 cannot install here (no root/apt/network).
# Timings go to stderr as "external-servers: <step> <seconds> s".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OXIGRAPH_VERSION="${BIBKG_OXIGRAPH_VERSION:-0.5.13}"
OXIGRAPH_VENV="${BIBKG_OXIGRAPH_VENV:-$ROOT/.venv-oxigraph}"
VIRTUOSO_BUFFERS="${BIBKG_VIRTUOSO_BUFFERS:-100000}"  # 8 KiB pages: 800 MB
# ResultSetMaxRows: Virtuoso's default, 10,000, caps bibkg's largest internal query (the name
# index, 558,616 rows on the full corpus); bibkg pages a capped SELECT correctly but slowly (a
# sorted sub-select per page: ~30 s a page there), so the whole index comes in one answer.
VIRTUOSO_MAX_ROWS="${BIBKG_VIRTUOSO_MAX_ROWS:-1000000}"
SERVER_TIMEOUT="${BIBKG_EXTERNAL_TIMEOUT_S:-60}"       # the servers' own query timeout (s)
BIBKG_GRAPHS="https://w3id.org/bibkg/graph/"

say() { echo "external-servers: $*" >&2; }
die() { say "$*"; exit 1; }
now() { date +%s.%N; }
took() { say "$1 $(awk -v a="$2" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}') s"; }

install_oxigraph() {
  if [ -x "$OXIGRAPH_VENV/bin/oxigraph" ] && "$OXIGRAPH_VENV/bin/oxigraph" --version 2>/dev/null | grep -q " $OXIGRAPH_VERSION\$"; then
    return 0
  fi
  local t; t=$(now)
  local python; python=$(command -v python3 || command -v python) || { say "no python3 for the oxigraph venv"; return 3; }
  rm -rf "$OXIGRAPH_VENV"
  "$python" -m venv "$OXIGRAPH_VENV" >/dev/null || { say "cannot create $OXIGRAPH_VENV"; return 3; }
  if ! "$OXIGRAPH_VENV/bin/pip" install -q --disable-pip-version-check "oxigraph==$OXIGRAPH_VERSION" >/dev/null 2>&1; then
    rm -rf "$OXIGRAPH_VENV"
    say "pip could not install oxigraph==$OXIGRAPH_VERSION"
    return 3
  fi
  took "install-oxigraph" "$t"
}

install_virtuoso() {
  if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || { say "no apt-get: install Virtuoso 7 (virtuoso-t, isql-vt) yourself"; return 3; }
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      say "not root and no passwordless sudo: cannot apt-get install virtuoso-opensource"; return 3; fi
  fi
  local t; t=$(now)
  export DEBIAN_FRONTEND=noninteractive
  # The package's postinst may try to start a system service; there is no init here, and we
  # never use the system instance (policy-rc.d 101 = "do not start").
  local policy=/usr/sbin/policy-rc.d made_policy=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null; $sudo chmod +x "$policy"; made_policy=1; fi
  local ok=""
  if $sudo apt-get install -y -qq --no-install-recommends virtuoso-opensource >/dev/null 2>&1; then ok=1; else
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    $sudo apt-get install -y -qq --no-install-recommends virtuoso-opensource >/dev/null 2>&1 && ok=1
  fi
  [ -n "$made_policy" ] && $sudo rm -f "$policy"
  [ -n "$ok" ] || { say "apt-get could not install virtuoso-opensource"; return 3; }
  took "install-virtuoso" "$t"
}

# "size mtime realpath" of a file: a DIR loaded from the same stamp is reused.
stamp() { stat -L -c '%s %Y' "$1" | tr '\n' ' '; realpath "$1"; }

port_free() {  # PORT: nothing listens on 127.0.0.1:PORT
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

alive() { [ -f "$1/server.pid" ] && kill -0 "$(cat "$1/server.pid")" 2>/dev/null; }

wait_http() {  # URL SECONDS: until the endpoint answers an ASK
  local url=$1 limit=$2 i=0
  while [ "$i" -lt $((limit * 10)) ]; do
    if curl -fsS -o /dev/null --max-time 2 --data-urlencode 'query=ASK {}' -H 'Accept: application/sparql-results+json' "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.1; i=$((i + 1))
  done
  return 1
}

start_oxigraph() {
  local dump=$1 dir=$2 port=$3 url="http://127.0.0.1:$3/query"
  install_oxigraph || exit $?
  local bin="$OXIGRAPH_VENV/bin/oxigraph"
  if alive "$dir" && [ "$(cat "$dir/db/loaded" 2>/dev/null)" = "$(stamp "$dump")" ] && [ "$(cat "$dir/port")" = "$port" ]; then
    echo "$url"; return 0
  fi
  stop_dir "$dir"
  mkdir -p "$dir"
  if [ "$(cat "$dir/db/loaded" 2>/dev/null)" != "$(stamp "$dump")" ]; then
    rm -rf "$dir/db"
    local t; t=$(now)
    "$bin" load --location "$dir/db" --format application/n-quads --file "$dump" >"$dir/load.log" 2>&1 || die "oxigraph load failed: $(tail -3 "$dir/load.log")"
    took "load-oxigraph" "$t"
    # compaction, as bibkg's own ingest does: a bulk-loaded store answers bibkg's queries 1.5-3x
    # slower until it is compacted (event-papers on the full corpus: 1.2 s -> 0.56 s)
    t=$(now)
    "$bin" optimize --location "$dir/db" >>"$dir/load.log" 2>&1 || die "oxigraph optimize failed: $(tail -3 "$dir/load.log")"
    stamp "$dump" >"$dir/db/loaded"
    took "optimize-oxigraph" "$t"
  fi
  port_free "$port" || die "port $port is in use (another server?)"
  local t; t=$(now)
  nohup "$bin" serve-read-only --location "$dir/db" --bind "127.0.0.1:$port" --union-default-graph \
    --timeout-s "$SERVER_TIMEOUT" >"$dir/server.log" 2>&1 </dev/null &
  echo $! >"$dir/server.pid"; echo "$port" >"$dir/port"
  wait_http "$url" 60 || { stop_dir "$dir"; die "oxigraph server did not answer on $url: $(tail -3 "$dir/server.log")"; }
  took "start-oxigraph" "$t"
  echo "$url"
}

isql() {  # DIR SQL...: run statements on the instance of DIR
  local dir=$1; shift
  isql-vt "127.0.0.1:$(cat "$dir/sqlport")" dba dba "$@" >"$dir/isql.log" 2>&1 || { cat "$dir/isql.log" >&2; return 1; }
  if grep -q '^\*\*\* Error' "$dir/isql.log"; then grep -A2 '^\*\*\* Error' "$dir/isql.log" >&2; return 1; fi
}

virtuoso_ini() {  # DIR PORT DUMPDIR
  local dir=$1 port=$2 dumpdir=$3 vsp=/var/lib/virtuoso-opensource-7/vsp
  [ -d "$vsp" ] || vsp="$dir"
  cat <<EOF
[Database]
DatabaseFile       = $dir/db/virtuoso.db
ErrorLogFile       = $dir/db/virtuoso.log
LockFile           = $dir/db/virtuoso.lck
TransactionFile    = $dir/db/virtuoso.trx
xa_persistent_file = $dir/db/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase
[TempDatabase]
DatabaseFile       = $dir/db/virtuoso-temp.db
TransactionFile    = $dir/db/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0
[Parameters]
ServerPort               = 127.0.0.1:$((port + 1))
DisableUnixSocket        = 1
MaxClientConnections     = 10
CheckpointInterval       = 60
CaseMode                 = 2
DirsAllowed              = ., $dir, $dumpdir
NumberOfBuffers          = $VIRTUOSO_BUFFERS
MaxDirtyBuffers          = $((VIRTUOSO_BUFFERS * 3 / 4))
ThreadsPerQuery          = 2
MaxQueryMem              = 1G
[HTTPServer]
ServerPort                  = 127.0.0.1:$port
ServerRoot                  = $vsp
MaxClientConnections        = 10
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
Charset                     = UTF-8
EnabledGzipContent          = 0
[SPARQL]
ResultSetMaxRows           = $VIRTUOSO_MAX_ROWS
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = $SERVER_TIMEOUT
EOF
}

start_virtuoso() {
  local dump=$1 dir=$2 port=$3 url="http://127.0.0.1:$3/sparql"
  install_virtuoso || exit $?
  dir=$(realpath -m "$dir")
  if alive "$dir" && [ "$(cat "$dir/db/loaded" 2>/dev/null)" = "$(stamp "$dump")" ] && [ "$(cat "$dir/port")" = "$port" ]; then
    echo "$url"; return 0
  fi
  stop_dir "$dir"
  mkdir -p "$dir/db"
  local fresh=""
  if [ "$(cat "$dir/db/loaded" 2>/dev/null)" != "$(stamp "$dump")" ]; then
    rm -rf "$dir/db"; mkdir -p "$dir/db"; fresh=1
  fi
  local dumpdir; dumpdir=$(dirname "$(realpath "$dump")")
  virtuoso_ini "$dir" "$port" "$dumpdir" >"$dir/virtuoso.ini"
  echo "$port" >"$dir/port"; echo $((port + 1)) >"$dir/sqlport"
  port_free "$port" && port_free $((port + 1)) || die "port $port or $((port + 1)) is in use (another server?)"
  local t; t=$(now)
  (cd "$dir" && exec nohup virtuoso-t +foreground +configfile "$dir/virtuoso.ini" >"$dir/server.log" 2>&1 </dev/null) &
  echo $! >"$dir/server.pid"
  wait_http "$url" 120 || { stop_dir "$dir"; die "virtuoso did not answer on $url: $(tail -5 "$dir/db/virtuoso.log" 2>/dev/null)"; }
  took "start-virtuoso" "$t"
  if [ -n "$fresh" ]; then
    t=$(now)
    # N-Quads: the loader takes each quad's graph from the file (the graph argument is unused).
    isql "$dir" exec="ld_dir('$dumpdir', '$(basename "$dump")', 'urn:bibkg:unused'); rdf_loader_run(); checkpoint;" \
      || die "virtuoso load failed"
    took "load-virtuoso-quads" "$t"
    isql "$dir" exec="SELECT ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;" || true
    if grep -q 'error\|Error' "$dir/isql.log" && ! grep -q '0 Rows' "$dir/isql.log"; then die "virtuoso load errors: $(cat "$dir/isql.log")"; fi
    # Hide every graph that is not bibkg's from the SPARQL user ("nobody"): Virtuoso's own
    # system graphs would otherwise join the union default graph.
    isql "$dir" exec="DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0);" || die "virtuoso permissions failed"
    local graphs
    # Read the graph list with SPARQL as dba, then grant read (1) to nobody on bibkg's graphs.
    isql "$dir" "VERBOSE=OFF" "BANNER=OFF" "PROMPT=OFF" "ECHO=OFF" \
      exec="SPARQL SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), '$BIBKG_GRAPHS')) };" \
      || die "virtuoso graph list failed"
    graphs=$(grep -o "${BIBKG_GRAPHS}[^ ]*" "$dir/isql.log" | sort -u)
    [ -n "$graphs" ] || die "virtuoso: no bibkg graph after loading $dump"
    # One statement per graph, from a file (the full corpus has ~1,000 graphs).
    for g in $graphs; do echo "DB.DBA.RDF_GRAPH_USER_PERMS_SET ('$g', 'nobody', 1);"; done >"$dir/perms.sql"
    echo "checkpoint;" >>"$dir/perms.sql"
    isql "$dir" "$dir/perms.sql" || die "virtuoso graph permissions failed"
    stamp "$dump" >"$dir/db/loaded"
    took "load-virtuoso" "$t"
  fi
  echo "$url"
}

stop_dir() {  # DIR: stop the server started from DIR, if any
  local dir=$1
  if alive "$dir"; then
    local pid; pid=$(cat "$dir/server.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/server.pid"
}

cmd=${1:-}; shift || true
case "$cmd" in
  install)
    what=${1:-all}; status=0
    case "$what" in
      oxigraph) install_oxigraph || status=$? ;;
      virtuoso) install_virtuoso || status=$? ;;
      all) install_oxigraph || status=$?; install_virtuoso || status=$? ;;
      *) die "install: unknown server '$what' (oxigraph, virtuoso, all)" ;;
    esac
    exit "$status" ;;
  start)
    [ $# -eq 4 ] || die "usage: $0 start oxigraph|virtuoso DUMP.nq DIR PORT"
    [ -f "$2" ] || die "no dump file '$2'"
    case "$1" in
      oxigraph) start_oxigraph "$2" "$3" "$4" ;;
      virtuoso) start_virtuoso "$2" "$3" "$4" ;;
      *) die "start: unknown server '$1' (oxigraph, virtuoso)" ;;
    esac ;;
  stop)
    [ $# -eq 1 ] || die "usage: $0 stop DIR"
    stop_dir "$1" ;;
  *) die "usage: $0 install|start|stop … (see the header of this script)" ;;
esac
