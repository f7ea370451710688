"""Keep stdout for the oracle's JSON: the library prints progress bars there (rich)."""

from __future__ import annotations

import os
import sys
from typing import TextIO


def json_stdout() -> TextIO:
    """The process's stdout for the JSON answer; from here on everything else printed to stdout
    (file descriptor 1 included) goes to stderr."""
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out
