"""Oracle for tests/export/test_bibtex.py, run in .venv-oracle: BibTeX and CSL-JSON per acl-anthology 0.5.4.

Usage: ``bibtex.py DATADIR ID…``.  Copies DATADIR (the bundled sample) to a temporary directory
with the library's own ``schema.rnc`` (the sample ships none), and prints ``{id: {"bibtex":
paper.to_bibtex(), "csl": paper.citeproc_dict}}`` as JSON.  Exits non-zero if a value would
not survive JSON unchanged (a tuple, a non-string key), so the test compares exactly what the
library returned.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import acl_anthology
from _stdout import json_stdout


def main(sample: str, *ids: str) -> None:
    out = json_stdout()
    with tempfile.TemporaryDirectory(prefix="bibkg-oracle-") as tmp:
        datadir = Path(tmp) / "data"
        shutil.copytree(sample, datadir)
        schema = Path(acl_anthology.__file__).parent / "data" / "schema.rnc"
        shutil.copy(schema, datadir / "xml" / "schema.rnc")
        anthology = acl_anthology.Anthology(datadir=datadir)
        result = {}
        for anthology_id in ids:
            paper = anthology.get(anthology_id)
            result[anthology_id] = {"bibtex": paper.to_bibtex(), "csl": paper.citeproc_dict}
    text = json.dumps(result, ensure_ascii=False)
    if json.loads(text) != result:
        sys.exit("bibtex.py: the library's values do not survive JSON unchanged; compare them another way")
    out.write(text)
    out.flush()


if __name__ == "__main__":
    main(*sys.argv[1:])
