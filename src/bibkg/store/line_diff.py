"""The lines two N-Quads texts do not share: what a replaced graph removed and added.

Pure functions over bytes, used by :mod:`bibkg.store.delta` to count the quads a new graph text
changes (for the schema counts and the update log) without parsing either text.
"""

from __future__ import annotations


def line_diff(old: bytes, new: bytes) -> tuple[bytes, bytes]:
    """(lines only in ``old``, lines only in ``new``), each a block of N-Quads lines.

    Most of a graph that changed in a few places is the same text: the common head and tail are
    skipped, and what lies between is cut at a line both texts share (every line of a graph's
    text is a quad written once, so a line found in both is the same place in both), until
    the pieces are small enough to compare as sets of lines (:func:`_diff_into`)."""
    removed: set[bytes] = set()
    added: set[bytes] = set()
    _diff_into(old, new, removed, added, 0)
    moved = removed & added  # a line that changed place only (none do in bibkg's graphs)
    return b"".join(sorted(removed - moved)), b"".join(sorted(added - moved))


_SMALL_DIFF = 1 << 16
"""Pieces of at most this many bytes are compared as sets of lines."""


def _diff_into(old: bytes, new: bytes, removed: set[bytes], added: set[bytes], depth: int) -> None:
    head = _common_prefix(old, new)
    head = old.rfind(b"\n", 0, head) + 1  # back to the start of a line
    old, new = old[head:], new[head:]
    tail = _common_suffix(old, new)
    if tail and not (_newline_before(old, tail) and _newline_before(new, tail)):
        cut = old.find(b"\n", len(old) - tail)  # the shared tail begins mid-line
        tail = len(old) - cut - 1 if cut >= 0 else 0
    old, new = old[: len(old) - tail], new[: len(new) - tail]
    if len(old) + len(new) > _SMALL_DIFF and depth < 40 and old and new:
        start = old.rfind(b"\n", 0, len(old) // 2) + 1
        end = old.find(b"\n", start) + 1
        line = old[start:end]
        at = 0 if new.startswith(line) else new.find(b"\n" + line) + 1
        if end and at >= 0 and (at or new.startswith(line)):
            _diff_into(old[:start], new[:at], removed, added, depth + 1)
            _diff_into(old[end:], new[at + len(line) :], removed, added, depth + 1)
            return
    old_lines = set(old.splitlines(keepends=True))
    new_lines = set(new.splitlines(keepends=True))
    removed.update(old_lines - new_lines)
    added.update(new_lines - old_lines)


def _newline_before(text: bytes, tail: int) -> bool:
    at = len(text) - tail
    return at == 0 or text[at - 1 : at] == b"\n"


def _common_prefix(a: bytes, b: bytes) -> int:
    """Length of the common prefix of ``a`` and ``b`` (binary search on slice equality)."""
    low, high = 0, min(len(a), len(b))
    if a[:high] == b[:high]:
        return high
    while high - low > 64:
        mid = (low + high) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid
    while low < high and a[low] == b[low]:
        low += 1
    return low


def _common_suffix(a: bytes, b: bytes) -> int:
    """Length of the common suffix of ``a`` and ``b``."""
    la, lb = len(a), len(b)
    low, high = 0, min(la, lb)
    if a[la - high :] == b[lb - high :]:
        return high
    while high - low > 64:
        mid = (low + high) // 2
        if a[la - mid : la - low] == b[lb - mid : lb - low]:
            low = mid
        else:
            high = mid
    while low < high and a[la - low - 1] == b[lb - low - 1]:
        low += 1
    return low
