"""A deterministic input stream for the journal tests: orders and quotes in small
batches, sessions and self-help among them; endless, so that a process killed
while journaling it is always killed mid-run."""
import itertools

import numpy as np

from engine.flow import generate_mixed

VENUES = ["A", "B", "C", "D"]
OPERATIONS = 100_000  # one pass; later passes repeat it later in time with new ids


def _one_pass(commands, quotes, schedule, shift_ts: int, shift_id: int):
    c, q = commands.copy(), quotes.copy()
    c["ts"] += shift_ts
    q["ts"] += shift_ts
    for field in ("order_id", "new_order_id"):
        c[field] = np.where(c[field] > 0, c[field] + np.uint64(shift_id), 0)
    step = 0
    for i in range(0, len(schedule), 7):
        run = schedule[i:i + 7]
        cmd = run[run >= 0]
        qs = -run[run < 0] - 1
        if len(qs):
            yield "update_quotes", np.ascontiguousarray(q[qs])
        if len(cmd):
            yield "execute", np.ascontiguousarray(c[cmd])
        step += 1
        if step % 500 == 0:  # control inputs too
            ts = int(c["ts"][cmd[-1]]) if len(cmd) else None
            yield "call", (lambda jb, ts=ts: jb.declare_self_help("B", ts=ts, end=(ts or 0) + 50_000))
            yield "call", (lambda jb, ts=ts: jb.end_regular_hours(ts=ts))
            yield "call", (lambda jb, ts=ts: jb.start_regular_hours(ts=ts))


def inputs(seed: int = 3):
    """The endless stream: the same generated flow, pass after pass."""
    commands, quotes, schedule = generate_mixed(OPERATIONS, seed, quote_share=0.2, venues=4)
    span = int(max(commands["ts"].max(), quotes["ts"].max())) + 1_000_000_000
    for k in itertools.count():
        yield from _one_pass(commands, quotes, schedule, k * span, k * 10**10)
