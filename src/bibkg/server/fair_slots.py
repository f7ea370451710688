"""Query slots shared fairly between clients: who runs next when a slot frees, and how many
queries one client may run at once (the :class:`~bibkg.server.worker_pool.WorkerPool`'s bound)."""

from __future__ import annotations

import asyncio


class FairSlots:
    """``n`` query slots shared fairly between clients (by address).

    A freed slot goes to the waiting request whose client runs the fewest queries (the earliest
    of those), not simply to the first in line, and one client runs at most ``per_client``
    queries at once (default: half the slots, rounded up): a client whose queries run for
    seconds would otherwise end up holding every slot, taking each one freed at a moment when
    the others' short queries had no request waiting (50 slow readers of a 10 MB result made
    the other clients' queries wait past ``queue_wait``).  Requests with no known address
    (``""``) are not capped.  Runs on the event loop only (no locks needed).
    """

    def __init__(self, n: int, per_client: int | None = None) -> None:
        self.free = n
        self.per_client = per_client if per_client is not None else max(1, (n + 1) // 2)
        self.running: dict[str, int] = {}
        self.waiters: list[tuple[str, asyncio.Future[None]]] = []

    def _may_run(self, client: str) -> bool:
        return not client or self.running.get(client, 0) < self.per_client

    def waiting_of(self, client: str) -> int:
        return sum(1 for c, _ in self.waiters if c == client)

    def _take(self, client: str) -> None:
        self.free -= 1
        self.running[client] = self.running.get(client, 0) + 1

    async def acquire(self, client: str, timeout: float) -> None:
        """Take a slot for ``client`` within ``timeout`` seconds (``TimeoutError`` if none)."""
        if self.free > 0 and not self.waiters and self._may_run(client):
            self._take(client)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (client, future)
        self.waiters.append(entry)
        self._grant()  # a slot may be free that only capped clients were waiting for
        try:
            await asyncio.wait_for(future, max(0.0, timeout))
        except BaseException:
            if future.done() and not future.cancelled():
                self.release(client)  # granted just as the wait ended: hand it on
            elif entry in self.waiters:
                self.waiters.remove(entry)
            raise

    def release(self, client: str) -> None:
        left = self.running.get(client, 0) - 1
        if left > 0:
            self.running[client] = left
        else:
            self.running.pop(client, None)
        self.free += 1
        self._grant()

    def _grant(self) -> None:
        """Give free slots to the waiters that may run, fewest running first."""
        while self.free > 0:
            self.waiters = [w for w in self.waiters if not w[1].done()]
            eligible = [k for k, (c, _) in enumerate(self.waiters) if self._may_run(c)]
            if not eligible:
                return
            index = min(eligible, key=lambda k: (self.running.get(self.waiters[k][0], 0), k))
            client_next, future = self.waiters.pop(index)
            self._take(client_next)
            future.set_result(None)
