"""A query that runs long yields the CPU to short ones: past ``LOW_PRIORITY_AFTER`` the thread
running it is lowered (nice), and raised back when it ends, so the next job runs at the normal
priority.

On two cores, two heavy queries whose clients left (bench_attacks) held both cores at full
priority until they were killed, and the 16 clients' short queries waited behind them."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from bibkg.server.worker_priority import LOW_PRIORITY_AFTER, LOW_PRIORITY_NICE, Priority

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="thread priorities are read from /proc (Linux)"
)


def nice_of(tid: int) -> int:
    stat = Path(f"/proc/self/task/{tid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[16])  # field 19: nice


def test_a_long_job_is_lowered_then_restored_and_a_short_one_never_is() -> None:
    seen: list[int] = []
    ended: list[bool] = []

    def jobs() -> None:
        tid = threading.get_native_id()
        priority = Priority()
        base = nice_of(tid)
        priority.begin()  # a long job
        deadline = time.monotonic() + LOW_PRIORITY_AFTER + 0.4
        while time.monotonic() < deadline:
            seen.append(nice_of(tid) - base)
            time.sleep(0.02)
        ended.append(priority.end())
        seen.append(nice_of(tid) - base)
        priority.begin()  # a short job
        time.sleep(LOW_PRIORITY_AFTER / 4)
        ended.append(priority.end())
        time.sleep(LOW_PRIORITY_AFTER * 1.5)  # the watchdog must not lower it late
        seen.append(nice_of(tid) - base)

    thread = threading.Thread(target=jobs)  # its own thread: the test process keeps its priority
    thread.start()
    thread.join()
    if ended[0] is False:
        pytest.skip("this process may not raise a priority back (no CAP_SYS_NICE, RLIMIT_NICE 0)")
    assert seen[0] == 0, "the job started at the worker's own priority"
    assert LOW_PRIORITY_NICE in seen[:-2], f"the long job was never lowered: {seen}"
    assert seen[-2:] == [0, 0] and ended == [True, True], seen
    assert os.getpriority(os.PRIO_PROCESS, 0) == nice_of(threading.get_native_id())
