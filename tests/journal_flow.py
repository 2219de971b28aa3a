"""A deterministic input stream for the journal tests: orders and quotes in small
batches, sessions and self-help among them."""
import numpy as np

from engine.flow import generate_mixed

VENUES = ["A", "B", "C", "D"]


OPERATIONS = 400_000  # long enough that a kill lands mid-run


def inputs(operations: int = OPERATIONS, seed: int = 3):
    commands, quotes, schedule = generate_mixed(operations, seed, quote_share=0.2, venues=4)
    i = 0
    step = 0
    while i < len(schedule):
        run = schedule[i:i + 7]
        cmd = run[run >= 0]
        qs = -run[run < 0] - 1
        if len(qs):
            yield "update_quotes", np.ascontiguousarray(quotes[qs])
        if len(cmd):
            yield "execute", np.ascontiguousarray(commands[cmd])
        step += 1
        if step % 500 == 0:  # control inputs too
            ts = int(commands["ts"][cmd[-1]]) if len(cmd) else None
            yield "call", (lambda jb, ts=ts: jb.declare_self_help("B", ts=ts, end=(ts or 0) + 50_000))
            yield "call", (lambda jb, ts=ts: jb.end_regular_hours(ts=ts))
            yield "call", (lambda jb, ts=ts: jb.start_regular_hours(ts=ts))
        i += 7
