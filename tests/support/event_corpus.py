"""A recorded corpus of event streams: seeded flows through a plain Book and
through a ProtectedBook (quotes from several venues, self-help intervals whose
boundaries pass later, sessions, configuration and fee changes, orders of every
instruction), reduced to one digest per stream. The digests were recorded
before the Book / Venue reshape; they must not change unless a change of
behaviour is meant (then record them again with `python -m tests.support.event_corpus`)."""
from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from engine import Book, OrderFlag, ProtectedBook, TickRegime
from engine.flow import generate_flow, generate_mixed

GOLDEN = Path(__file__).with_name("event_corpus.json")
VENUES = ["A", "B", "C", "D", "E"]

# Every field of every event and of every resting order, in a fixed order: the
# digest does not depend on how the records are laid out.
EVENT_FIELDS = ["seq", "ts", "type", "order_id", "contra_id", "side", "price", "quantity", "leaves", "contra_leaves",
                "reason", "liquidity", "flags", "fee", "aux", "venues", "quote_version", "compliance_code"]
ORDER_FIELDS = ["order_id", "ts", "price", "display_price", "limit_price", "leaves", "displayed", "reserve", "filled",
                "display_quantity", "participant", "flags", "side", "tif", "stp", "post_only", "lock_cross",
                "repriced"]


def digest_rows(h: "hashlib._Hash", rows: np.ndarray, fields: list[str]) -> None:
    for name in fields:
        h.update(name.encode())
        h.update(np.ascontiguousarray(rows[name].astype(np.int64)).tobytes())


def plain_stream(profile: str, seed: int) -> Iterator[np.ndarray]:
    flow = generate_flow(20_000, seed=seed, profile=profile)
    regime = TickRegime.HALF_PENNY_2024 if profile == "half_penny" else TickRegime.PENNY_2005
    book = Book("C", tick_regime=regime)
    for start in range(0, len(flow), 997):
        yield book.execute(flow[start:start + 997])
    yield book.orders()


def protected_stream(seed: int, quote_share: float) -> Iterator[np.ndarray]:
    rng = random.Random(seed)
    commands, quotes, schedule = generate_mixed(20_000, seed=seed, quote_share=quote_share, venues=len(VENUES))
    nrng = np.random.default_rng(seed)
    # orders of every instruction the Reg NMS layer handles
    new = commands["action"] == 1
    limit = new & (commands["order_type"] == 1)
    pick = nrng.random(len(commands))
    commands["lock_cross"] = np.where(new, nrng.integers(0, 4, len(commands)), 0)
    commands["flags"] |= np.where(limit & (pick < 0.10), OrderFlag.ROUTABLE, 0).astype(np.uint32)
    iso = limit & (pick >= 0.10) & (pick < 0.14) & (commands["post_only"] == 0)
    commands["flags"] |= np.where(iso, OrderFlag.ISO, 0).astype(np.uint32)
    commands["flags"] |= np.where(limit & (pick >= 0.14) & (pick < 0.20) & (commands["display_quantity"] == 0),
                                  OrderFlag.HIDDEN, 0).astype(np.uint32)
    iso_routable = (commands["flags"] & (OrderFlag.ISO | OrderFlag.ROUTABLE)) == (OrderFlag.ISO | OrderFlag.ROUTABLE)
    commands["flags"] &= np.where(iso_routable, ~np.uint32(OrderFlag.ROUTABLE), np.uint32(0xFFFFFFFF))
    # away quotes that bind: some move one to three ticks inside, locking and crossing the book
    inside = nrng.random(len(quotes)) < 0.35
    step = nrng.integers(1, 4, len(quotes)) * 100
    quotes["bid_price"] = np.where(inside & (quotes["bid_price"] > 0), quotes["bid_price"] + step, quotes["bid_price"])
    quotes["ask_price"] = np.where(inside & (quotes["ask_price"] > 0), quotes["ask_price"] - step, quotes["ask_price"])
    book = ProtectedBook("C", venues=VENUES)
    runs = np.split(schedule, np.flatnonzero(np.diff((schedule >= 0).astype(np.int8))) + 1)
    ts = 0
    for k, run in enumerate(runs):
        if run[0] >= 0:
            batch = commands[run]
            yield book.execute(np.ascontiguousarray(batch))
            ts = max(ts, int(batch["ts"].max()))
        else:
            batch = quotes[-run - 1]
            yield book.update_quotes(np.ascontiguousarray(batch))
            ts = max(ts, int(batch["ts"].max()))
        if k % 40 == 7:  # controls among the flow
            what = rng.randrange(6)
            venue = rng.choice(VENUES)
            if what == 0:
                start = ts + rng.choice([0, 200_000, 2_000_000])
                book.declare_self_help(venue, start=start, end=start + rng.choice([300_000, 5_000_000]), ts=ts)
            elif what == 1:
                book.revoke_self_help(venue, ts=ts)
            elif what == 2:
                (book.end_regular_hours if rng.random() < 0.5 else book.start_regular_hours)(ts=ts)
            elif what == 3:
                book.configure(default_lock_cross=rng.randrange(1, 4), flicker_window_ns=rng.choice([10**8, 10**9]),
                               subpenny_exemption=rng.random() < 0.7, lock_cross_protection=rng.random() < 0.9)
            elif what == 4:
                book.set_fee_schedule(take_fee_nd=rng.randrange(-3_000_000, 3_000_001, 500_000),
                                      make_rebate_nd=rng.randrange(0, 2_000_001, 250_000))
            else:
                book.check_print(int(quotes["ask_price"][0]) or 100_500, ts=ts + 10)
            yield book.take_events()
    yield book.orders()


STREAMS: dict[str, Callable[[], Iterator[np.ndarray]]] = {
    **{f"plain-{p}-{s}": (lambda p=p, s=s: plain_stream(p, s)) for p in ("ten_dollars", "one_dollar", "half_penny")
       for s in (1, 2)},
    **{f"protected-{s}-{q}": (lambda s=s, q=q: protected_stream(s, q)) for s in (1, 2, 3) for q in (0.2, 0.4)},
}


def digest(name: str) -> str:
    h = hashlib.sha256()
    for rows in STREAMS[name]():
        digest_rows(h, rows, EVENT_FIELDS if "seq" in rows.dtype.names else ORDER_FIELDS)
    return h.hexdigest()


if __name__ == "__main__":  # record the goldens again (only when a change of behaviour is meant)
    GOLDEN.write_text(json.dumps({name: digest(name) for name in STREAMS}, indent=1, sort_keys=True) + "\n")
    print(f"recorded {len(STREAMS)} streams in {GOLDEN}")
