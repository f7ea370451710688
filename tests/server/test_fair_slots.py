"""Query slots shared between client addresses (issue 10: 50 slow readers from one address made
every other client's query wait past ``queue_wait`` and get 503).

One address runs at most half the slots at once, so a client whose queries run for seconds
cannot end up holding them all; requests without a known address are not capped.  The last test
runs against a real ``bibkg serve`` process with requests from two loopback addresses."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from pool_process_util import EXPENSIVE, serve

from bibkg.server.fair_slots import FairSlots
from bibkg.store.local import LocalStore


def test_one_address_runs_at_most_half_the_slots() -> None:
    async def scenario() -> None:
        slots = FairSlots(4)
        await slots.acquire("10.0.0.1", 0.1)
        await slots.acquire("10.0.0.1", 0.1)
        with pytest.raises(TimeoutError):  # two slots are free, but not for this address
            await slots.acquire("10.0.0.1", 0.1)
        await slots.acquire("10.0.0.2", 0.1)  # another address gets one at once
        assert slots.free == 1 and slots.running == {"10.0.0.1": 2, "10.0.0.2": 1}
        waiting = asyncio.ensure_future(slots.acquire("10.0.0.1", 5))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        slots.release("10.0.0.1")  # its own query ends: the waiter may run now
        await asyncio.wait_for(waiting, 1)
        assert slots.running == {"10.0.0.1": 2, "10.0.0.2": 1} and not slots.waiters

    asyncio.run(scenario())


def test_requests_without_an_address_are_not_capped() -> None:
    async def scenario() -> None:
        slots = FairSlots(4)
        for _ in range(4):
            await slots.acquire("", 0.1)
        assert slots.free == 0

    asyncio.run(scenario())


def test_a_freed_slot_goes_to_the_address_running_fewest() -> None:
    async def scenario() -> None:
        slots = FairSlots(2, per_client=2)
        await slots.acquire("a", 0.1)
        await slots.acquire("a", 0.1)
        first = asyncio.ensure_future(slots.acquire("a", 5))
        second = asyncio.ensure_future(slots.acquire("b", 5))
        await asyncio.sleep(0.05)
        slots.release("a")
        await asyncio.wait_for(second, 1)  # b runs none: it goes first although it came later
        assert not first.done()
        first.cancel()

    asyncio.run(scenario())


def test_a_client_holding_long_queries_leaves_slots_to_another(sample_store: LocalStore) -> None:
    """Four queries from 127.0.0.2 that each run 3 s, then a cheap query from 127.0.0.1: with all
    four slots taken by the first address it waited past queue_wait (1 s here) and got 503."""
    with serve(sample_store.root, query_workers=4, BIBKG_QUEUE_WAIT=1) as server:
        attacker = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30)

        def heavy() -> int:
            return attacker.get(server.url + "/sparql", params={"query": EXPENSIVE, "timeout": "3"}).status_code

        with attacker, ThreadPoolExecutor(4) as pool:
            held = [pool.submit(heavy) for _ in range(4)]
            time.sleep(0.5)
            started = time.perf_counter()
            response = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
            waited = time.perf_counter() - started
            statuses = sorted(f.result() for f in held)
        assert response.status_code == 200, response.text
        assert waited < 1.0, f"the other address waited {waited:.2f} s"
        # the address ran two at once: two were stopped at their deadline, two refused (busy)
        assert statuses == [503, 503, 504, 504], statuses
