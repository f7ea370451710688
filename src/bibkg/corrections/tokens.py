"""Bearer tokens of the write doors: created on the command line, stored hashed, rate-limited.

A token is ``bkt_`` and 43 random URL-safe characters (256 bits), shown once when created; the
store keeps only its SHA-256 (a random secret of that length needs no slow hash: there is
nothing to guess from the digest).  Tokens live in ``STORE/corrections/tokens.jsonl``, append-only
like the log (``created`` and ``revoked`` events), so who could write when stays auditable.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import Conflict, Forbidden, InvalidCorrection, RateLimited, Unauthenticated
from .log import LOG_DIR
from .model import Role

TOKENS_FILE = "tokens.jsonl"
PREFIX = "bkt_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")

DEFAULT_RATE = 30.0
"""Writes per minute one token may make (``BIBKG_CORRECTIONS_RATE``); bursts up to the same number."""


@dataclass(frozen=True, slots=True)
class Token:
    name: str
    role: Role
    digest: str
    created: str
    revoked: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None


class TokenStore:
    def __init__(self, store_root: Path) -> None:
        self.dir = Path(store_root) / LOG_DIR
        self.path = self.dir / TOKENS_FILE
        self._cache: tuple[float, int, dict[str, Token]] | None = None
        self._lock = threading.Lock()

    def _append(self, record: dict) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, json.dumps(record, separators=(",", ":")).encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)

    def tokens(self) -> dict[str, Token]:
        """Every token by name (revoked ones included), re-read when the file changed."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return {}
        with self._lock:
            if self._cache is not None and self._cache[:2] == (st.st_mtime, st.st_size):
                return self._cache[2]
            out: dict[str, Token] = {}
            for line in self.path.read_bytes().split(b"\n"):
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if rec.get("event") == "created":
                    out[rec["name"]] = Token(rec["name"], Role(rec["role"]), rec["sha256"], rec["at"])
                elif rec.get("event") == "revoked" and rec.get("name") in out:
                    t = out[rec["name"]]
                    out[t.name] = Token(t.name, t.role, t.digest, t.created, rec["at"])
            self._cache = (st.st_mtime, st.st_size, out)
            return out

    def create(self, name: str, role: Role | str) -> str:
        """A new token; returns the secret (the only time it is shown)."""
        if not _NAME.match(name or ""):
            raise InvalidCorrection("a token name is 1-64 letters, digits, '.', '_', '@' or '-'", field="name")
        role = Role(role)
        existing = self.tokens().get(name)
        if existing is not None and existing.active:
            raise Conflict(f"a token named {name} exists; revoke it first", field="name")
        secret = PREFIX + secrets.token_urlsafe(32)
        self._append({"event": "created", "name": name, "role": role.value, "sha256": _digest(secret), "at": _now()})
        return secret

    def revoke(self, name: str) -> None:
        token = self.tokens().get(name)
        if token is None or not token.active:
            raise Conflict(f"no active token named {name}", field="name")
        self._append({"event": "revoked", "name": name, "at": _now()})

    def authenticate(self, secret: str | None) -> Token:
        """The active token whose secret this is (constant-time comparison of digests)."""
        if not secret:
            raise Unauthenticated("a bearer token is required (Authorization: Bearer bkt_…)")
        digest = _digest(secret.strip())
        found = None
        for token in self.tokens().values():
            if hmac.compare_digest(token.digest, digest):
                found = token
        if found is None:
            raise Unauthenticated("unknown token")
        if not found.active:
            raise Unauthenticated(f"token {found.name} was revoked")
        return found


def require(token: Token, role: Role, action: str) -> None:
    if role is Role.MAINTAINER and token.role is not Role.MAINTAINER:
        raise Forbidden(f"only a maintainer may {action}; token {token.name} is a {token.role.value}")


class RateLimiter:
    """A token bucket per token name: ``rate`` writes per minute, bursts up to ``rate``."""

    def __init__(self, rate: float | None = None) -> None:
        self.rate = rate if rate is not None else rate_from_env()
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, name: str) -> None:
        if self.rate <= 0:
            return
        now = time.monotonic()
        per_second = self.rate / 60.0
        with self._lock:
            level, last = self._buckets.get(name, (self.rate, now))
            level = min(self.rate, level + (now - last) * per_second)
            if level < 1.0:
                wait = (1.0 - level) / per_second
                self._buckets[name] = (level, now)
                raise RateLimited(
                    f"token {name}: more than {self.rate:g} writes per minute; retry in {wait:.1f} s", retry_after=wait
                )
            self._buckets[name] = (level - 1.0, now)


def rate_from_env() -> float:
    raw = os.environ.get("BIBKG_CORRECTIONS_RATE", "").strip()
    if not raw:
        return DEFAULT_RATE
    try:
        return float(raw)
    except ValueError:
        raise InvalidCorrection(f"BIBKG_CORRECTIONS_RATE must be a number of writes per minute, got {raw!r}") from None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
