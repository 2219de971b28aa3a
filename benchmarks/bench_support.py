"""Workloads shared by the benchmark files."""
from __future__ import annotations

from engine import Book, Side
from engine.flow import resting_orders

CALLS_PER_ROUND = 1_000  # inner loop, so the harness's own cost per round is negligible


class RestingSubmitWorkload:
    """A book with a realistic resting population; each round submits CALLS_PER_ROUND
    non-marketable limit orders, and the untimed setup cancels the previous round's."""

    def __init__(self, background: int = 2_000, seed: int = 11) -> None:
        self.book = Book("BENCH")
        self.book.reserve(background + 2 * CALLS_PER_ROUND)
        bg = resting_orders(background, seed)
        self.book.execute(bg)
        self.book.clear_events()
        # fresh ids above the background's; prices from the same resting distribution
        flow = resting_orders(CALLS_PER_ROUND, seed + 1)
        offset = int(bg["order_id"].max())
        self.ids = [int(i) + offset for i in flow["order_id"]]
        self.sides = flow["side"].tolist()
        self.prices = flow["price"].tolist()
        self.qtys = flow["quantity"].tolist()

    def setup(self):
        for i in self.ids:
            if i in self.book:
                self.book.cancel(i)
        self.book.clear_events()
        return (), {}

    def run(self) -> None:
        submit = self.book.submit
        ids, sides, prices, qtys = self.ids, self.sides, self.prices, self.qtys
        for i in range(CALLS_PER_ROUND):
            submit(ids[i], sides[i], prices[i], qtys[i])


class RestingAddWorkload(RestingSubmitWorkload):
    """As RestingSubmitWorkload, through Book.add (the positional fast path)."""

    def run(self) -> None:
        add = self.book.add
        ids, sides, prices, qtys = self.ids, self.sides, self.prices, self.qtys
        for i in range(CALLS_PER_ROUND):
            add(ids[i], sides[i], prices[i], qtys[i])


class RestingSubmitKeywordsWorkload(RestingSubmitWorkload):
    """As RestingSubmitWorkload, with the options a caller usually spells out."""

    def run(self) -> None:
        submit = self.book.submit
        ids, sides, prices, qtys = self.ids, self.sides, self.prices, self.qtys
        for i in range(CALLS_PER_ROUND):
            submit(ids[i], sides[i], prices[i], qtys[i], order_type=1, tif=1, ts=7)


class MarketableSubmitWorkload:
    """Each call is a marketable IOC limit order that executes against exactly one
    resting order; the untimed setup re-creates those resting orders."""

    def __init__(self) -> None:
        self.book = Book("BENCH")
        self.book.reserve(4 * CALLS_PER_ROUND)
        self.base_id = 1

    def setup(self):
        self.book.clear_events()
        start = self.base_id
        for k in range(CALLS_PER_ROUND):
            self.book.submit(start + k, Side.SELL, 100_500, 100)
        self.book.clear_events()
        self.maker_start = start
        self.taker_start = start + CALLS_PER_ROUND
        self.base_id += 2 * CALLS_PER_ROUND
        return (), {}

    def run(self) -> None:
        submit = self.book.submit
        t0 = self.taker_start
        for k in range(CALLS_PER_ROUND):
            submit(t0 + k, 1, 100_500, 100, tif=3)


class SweepWorkload:
    """Each call is a marketable IOC order that executes against five resting
    orders on two levels; the untimed setup re-creates them."""

    def __init__(self) -> None:
        self.book = Book("BENCH")
        self.book.reserve(16 * CALLS_PER_ROUND)
        self.next_id = 1

    def setup(self):
        self.book.clear_events()
        for k in range(CALLS_PER_ROUND * 5):
            self.book.submit(self.next_id + k, Side.SELL, 100_500 + (k % 2) * 100, 100)
        self.taker_start = self.next_id + CALLS_PER_ROUND * 5
        self.next_id = self.taker_start + CALLS_PER_ROUND
        self.book.clear_events()
        return (), {}

    def run(self) -> None:
        submit = self.book.submit
        t0 = self.taker_start
        for k in range(CALLS_PER_ROUND):
            submit(t0 + k, 1, 100_600, 500, tif=3)


class CancelWorkload(RestingSubmitWorkload):
    """Each call cancels one of CALLS_PER_ROUND orders resting in a realistic book;
    the untimed setup enters them again."""

    def setup(self):
        super().setup()
        submit = self.book.submit
        for i in range(CALLS_PER_ROUND):
            submit(self.ids[i], self.sides[i], self.prices[i], self.qtys[i])
        self.book.clear_events()
        return (), {}

    def run(self) -> None:
        cancel = self.book.cancel
        for i in self.ids:
            cancel(i)


class ReplaceWorkload(CancelWorkload):
    """Each call moves a resting order one tick less aggressive (loses priority)."""

    def run(self) -> None:
        replace = self.book.replace
        for i, p, q, s in zip(self.ids, self.prices, self.qtys, self.sides, strict=True):
            replace(i, p - 100 if s == 1 else p + 100, q)


class MarketableIocWorkload(MarketableSubmitWorkload):
    """As MarketableSubmitWorkload, through Book.ioc (the positional fast path)."""

    def run(self) -> None:
        ioc = self.book.ioc
        t0 = self.taker_start
        for k in range(CALLS_PER_ROUND):
            ioc(t0 + k, 1, 100_500, 100)
