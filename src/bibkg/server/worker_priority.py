"""A worker's CPU priority: a job that runs long yields the CPU to the short ones."""

from __future__ import annotations

LOW_PRIORITY_AFTER = 0.2
"""Seconds a job may run at the worker's normal CPU priority; after that its thread runs at
:data:`LOW_PRIORITY_NICE` (:class:`Priority`)."""
LOW_PRIORITY_NICE = 10
"""Nice value of a job's thread past :data:`LOW_PRIORITY_AFTER`: under contention Linux gives it
about a tenth of the CPU share of a normal thread."""


class Priority:
    """Lowers the CPU priority of the thread that runs jobs once a job has run
    :data:`LOW_PRIORITY_AFTER` seconds, and restores it when the job ends.

    On a machine with few cores, a query that runs for seconds (an expensive join, a client
    that left and lets it run until it is killed) would otherwise take a whole core from the
    short queries of everyone else; at nice :data:`LOW_PRIORITY_NICE` it still uses idle CPU
    but yields to them.  A watchdog thread does the lowering (``setpriority`` on the job
    thread's id); the job itself runs where it always did, so no query result ever changes
    threads.  Raising a priority back needs ``CAP_SYS_NICE`` or a ``RLIMIT_NICE`` that allows
    it: where it is refused, :meth:`end` says so and the worker retires after its answer (the
    pool starts a fresh one) rather than serving on at low priority.
    """

    def __init__(self) -> None:
        import os
        import threading

        self._tid = threading.get_native_id()
        self._base = os.getpriority(os.PRIO_PROCESS, self._tid)
        self._cond = threading.Condition()
        self._job = 0
        """The running job's number (0: none)."""
        self._count = 0
        self._lowered = False
        threading.Thread(target=self._watch, name="bibkg-priority", daemon=True).start()

    def begin(self) -> None:
        with self._cond:
            self._count += 1
            self._job = self._count
            self._cond.notify()

    def end(self) -> bool:
        """The job ended: its priority is the worker's own again (``False``: it could not be
        raised back; the worker should retire)."""
        import os

        with self._cond:
            self._job = 0
            if not self._lowered:
                return True
            self._lowered = False
            try:
                os.setpriority(os.PRIO_PROCESS, self._tid, self._base)
            except OSError:
                return False
            return True

    def _watch(self) -> None:
        import os
        import time

        with self._cond:
            while True:
                while not self._job:
                    self._cond.wait()
                job, until = self._job, time.monotonic() + LOW_PRIORITY_AFTER
                while self._job == job and (left := until - time.monotonic()) > 0:
                    self._cond.wait(left)
                if self._job == job:
                    try:
                        os.setpriority(os.PRIO_PROCESS, self._tid, self._base + LOW_PRIORITY_NICE)
                        self._lowered = True
                    except OSError:
                        pass
                    while self._job == job:
                        self._cond.wait()
