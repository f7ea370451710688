#!/usr/bin/env bash
# Install bibkg into .venv and run it on the bundled sample: the seed question, then the server.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/env.sh"
cd "$ROOT"
echo "== coauthors of Yaodong Yang at the event acl-2025 (bundled sample)"
bibkg query --name coauthors-at-event --param person=yaodong-yang --param event=acl-2025
echo "== Yaodong Yang's preprints (Hugging Face Daily Papers) and where each was published"
bibkg query --name person-preprints --param person=yaodong-yang
if bibkg serve --help >/dev/null 2>&1; then
  exec bibkg serve "$@"
fi
