"""The client whose query is killed pays for the respawn: its slot comes back only once the
killed worker is replaced, so a client firing expensive queries and leaving cannot drain the
pool of workers for everyone else (bench_attacks, "heavy queries, client leaves": 14 load
errors, "no query worker became free within 2 s")."""

from __future__ import annotations

import asyncio
import time

import pytest

from bibkg.server.executor import Busy, DeadlineExceeded
from bibkg.server.job import Job
from bibkg.server.worker_pool import WorkerPool
from bibkg.store.local import LocalStore

CHEAP = "ASK {}"


def test_a_killed_query_holds_its_clients_slot_until_the_worker_is_replaced(sample_store: LocalStore) -> None:
    async def scenario() -> None:
        snapshot = str(sample_store.current_snapshot())
        pool = WorkerPool(("snapshot", snapshot), concurrency=2, spare=0, queue_wait=0.2, min_deadline=0.1)
        await pool.start()
        try:
            with pytest.raises(DeadlineExceeded):
                await pool.run(Job(CHEAP, sleep=5.0), 0.3, client="attacker")
            assert pool.alive == 1  # killed; its replacement is starting
            # the attacker's next query waits for the replacement (its one slot is still taken) ...
            with pytest.raises(Busy):
                await pool.run(Job(CHEAP), 5.0, client="attacker")
            # ... while anyone else is served by the worker left
            answer = await pool.run(Job(CHEAP), 5.0, client="reader")
            assert answer.error is None
            end = time.monotonic() + 20
            while pool.alive < 2 and time.monotonic() < end:
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)  # the held slot is released on the next look
            answer = await pool.run(Job(CHEAP), 5.0, client="attacker")
            assert answer.error is None and pool.alive == 2
        finally:
            await pool.close()

    asyncio.run(scenario())
