"""The corrections log (append-only, concurrent, torn-write tolerant) and the tokens."""

from __future__ import annotations

import json
import multiprocessing as mp
import threading
from pathlib import Path

import pytest

from bibkg.corrections import errors as E
from bibkg.corrections.log import CorrectionLog, new_correction_id
from bibkg.corrections.model import Role, Status
from bibkg.corrections.tokens import RateLimiter, TokenStore


def body(cid: str, proposer: str) -> dict:
    return {
        "id": cid,
        "change": {"kind": "merge", "source": "a-b", "into": "c-d"},
        "proposer": proposer,
        "created": "2026-12-01T00:00:00.000Z",
        "reason": "same person",
        "evidence": [],
    }


def _propose_many(root: str, token: str, n: int) -> list[str]:
    log = CorrectionLog(Path(root))
    ids = []
    for _ in range(n):
        cid = new_correction_id()
        log.append("proposed", by=token, role="contributor", correction=cid, body=body(cid, token))
        ids.append(cid)
    return ids


def test_100_concurrent_proposals_from_10_processes_and_threads(tmp_path):
    ctx = mp.get_context("spawn")
    with ctx.Pool(5) as pool:
        results = [pool.apply_async(_propose_many, (str(tmp_path), f"token{i}", 10)) for i in range(5)]
        threads_ids: list[list[str]] = []
        threads = [
            threading.Thread(target=lambda i=i: threads_ids.append(_propose_many(str(tmp_path), f"token{5 + i}", 10)))
            for i in range(5)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        sent = [cid for r in results for cid in r.get(timeout=120)] + [cid for ids in threads_ids for cid in ids]
    view = CorrectionLog(tmp_path).view()
    assert len(sent) == 100 and len(set(sent)) == 100
    assert set(view.entries) == set(sent)  # none lost, none duplicated
    lines = (tmp_path / "corrections" / "log.jsonl").read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == list(range(1, 101))
    assert view.damaged == 0
    assert {e.correction.proposer for e in view.entries.values()} == {f"token{i}" for i in range(10)}


def test_transitions_and_a_torn_line(tmp_path):
    log = CorrectionLog(tmp_path)
    cid = new_correction_id()
    log.append("proposed", by="a", role="contributor", correction=cid, body=body(cid, "a"))
    with pytest.raises(E.BadTransition) as info:
        log.append("reverted", by="m", role="maintainer", correction=cid)
    assert info.value.status == 409
    log.append("approved", by="m", role="maintainer", correction=cid)
    with open(log.path, "ab") as f:  # a writer killed in the middle of a line
        f.write(b'{"seq": 3, "event": "rej')
    log.append("rejected", by="m", role="maintainer", correction=cid, note="no")
    view = log.view()
    assert view.damaged == 1 and view.get(cid).status is Status.REJECTED
    assert [e["event"] for e in view.get(cid).events] == ["proposed", "approved", "rejected"]
    with pytest.raises(E.BadTransition):
        log.append("rejected", by="m", role="maintainer", correction=cid)
    with pytest.raises(E.UnknownCorrection):
        log.append("approved", by="m", role="maintainer", correction="c-ffffffffffffffff")


def test_tokens_are_stored_hashed_and_revocable(tmp_path):
    tokens = TokenStore(tmp_path)
    secret = tokens.create("alice", "contributor")
    assert secret.startswith("bkt_") and secret not in (tmp_path / "corrections" / "tokens.jsonl").read_text()
    assert tokens.authenticate(secret).role is Role.CONTRIBUTOR
    with pytest.raises(E.Conflict):
        tokens.create("alice", "maintainer")
    for bad in (None, "", "bkt_wrong"):
        with pytest.raises(E.Unauthenticated) as info:
            tokens.authenticate(bad)
        assert info.value.status == 401
    tokens.revoke("alice")
    with pytest.raises(E.Unauthenticated, match="revoked"):
        tokens.authenticate(secret)
    with pytest.raises(E.InvalidCorrection):
        tokens.create("bad name!", "contributor")


def test_rate_limit_per_token():
    limiter = RateLimiter(rate=3)
    for _ in range(3):
        limiter.take("a")
    with pytest.raises(E.RateLimited) as info:
        limiter.take("a")
    assert info.value.status == 429 and info.value.retry_after > 0
    limiter.take("b")  # another token has its own bucket
