"""Soak: millions of mixed operations through one ProtectedBook, with memory
measured before and after. Memory must not grow beyond what the live book needs.

Bounded in time: ENGINE_SOAK_SECONDS (default 5; run minutes locally with e.g.
ENGINE_SOAK_SECONDS=300 python -m pytest tests/test_soak.py -s)."""
import os
import time

import numpy as np

from engine import ProtectedBook
from engine.flow import generate_mixed

SECONDS = float(os.environ.get("ENGINE_SOAK_SECONDS", "5"))
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def test_soak_memory_stays_flat(capsys):
    commands, quotes, schedule = generate_mixed(200_000, seed=5, quote_share=0.2, venues=4)
    span = int(commands["ts"][-1] - commands["ts"][0]) + 1_000
    book = ProtectedBook("SOAK", venues=["V0", "V1", "V2", "V3"])
    cmd_runs = np.split(schedule, np.flatnonzero(np.diff((schedule >= 0).astype(np.int8))) + 1)

    def one_round(k: int) -> int:
        c = commands.copy()
        q = quotes.copy()
        shift = np.uint64(k * 10_000_000_000)
        c["order_id"] = np.where(c["order_id"] > 0, c["order_id"] + shift, 0)
        c["new_order_id"] = np.where(c["new_order_id"] > 0, c["new_order_id"] + shift, 0)
        c["ts"] += k * span
        q["ts"] += k * span
        for run in cmd_runs:  # the mixed schedule, in order, in batches
            if run[0] >= 0:
                book.execute(np.ascontiguousarray(c[run]))
            else:
                book.update_quotes(np.ascontiguousarray(q[-run - 1]))
        book.expire(ts=int(c["ts"][-1]) + 1)  # the end of each "day": DAY orders go
        book.take_events()  # events are handed over and dropped, as a consumer would
        return len(schedule)

    ops = one_round(0) + one_round(1)  # warm up: pools, index and buffers reach their size
    rss0, mem0 = rss_bytes(), book.memory_bytes
    start = time.monotonic()
    rounds = 2
    while time.monotonic() - start < SECONDS or rounds < 4:
        ops += one_round(rounds)
        rounds += 1
    rss1, mem1 = rss_bytes(), book.memory_bytes
    with capsys.disabled():
        print(f"\nsoak: {ops:,} operations in {rounds} rounds; RSS {rss0 / 2**20:.1f} -> {rss1 / 2**20:.1f} MiB;"
              f" book {mem0 / 2**10:.0f} -> {mem1 / 2**10:.0f} KiB; {len(book)} orders resting")
    assert book.check_integrity() is None
    assert mem1 <= mem0 * 1.25  # the book's own structures: bounded by the live book
    assert rss1 - rss0 < 32 * 2**20  # the process: no leak per operation (millions of them)
