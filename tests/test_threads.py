"""Books used from several threads: one guard per C++ book, checked by every
entry point, so a second thread gets RuntimeError instead of racing the C++
code (issue 9, items 4, 5 and 20, and the thread-stress net)."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from engine import MAX_QUANTITY, Action, Book, OrderType, ProtectedBook, Side, TimeInForce, new_commands, new_quotes
from engine._core import BookBuilder, ItchDecoder, LobsterDecoder, Rematcher, generate_itch
from engine.flow import generate_flow


def in_thread(fn):
    """Run fn in another thread; return what it returned or the exception it raised."""
    out = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    t.join()
    return out.get("error", out.get("value"))


def built_books():
    feed, _ = ItchDecoder().decode(generate_itch(20_000, symbols=2, seed=1), final=True)
    builder = BookBuilder()
    builder.apply(feed)
    return builder, feed


def test_views_of_one_builder_share_one_guard():
    """Item 4: every view handed out by BookBuilder.book() carried its own busy
    flag, so two views, or a view and apply(), ran at once (double free)."""
    builder, feed = built_books()
    locate = next(loc for loc in range(1, 10) if builder.book(loc) is not None)
    a, b = builder.book(locate), builder.book(locate)
    with a.hold():  # this thread holds the C++ book
        for call in (lambda: b.top(), lambda: b.take_events(), lambda: len(b), lambda: builder.apply(feed[:10]),
                     lambda: builder.book(locate), lambda: builder.book_count, lambda: builder.select([1]),
                     lambda: builder.stats):
            err = in_thread(call)
            assert isinstance(err, RuntimeError) and "in use by another thread" in str(err)
        assert a.top() == b.top()  # the holding thread goes on
    assert in_thread(lambda: b.top()) == a.top()  # free again


def test_contains_checks_the_guard():
    """Item 5: `order_id in book` skipped the busy check and read the id index
    while another thread's execute() grew it."""
    book = Book("T")
    book.submit(1, Side.BUY, 100_000, 100)
    with book.hold():
        err = in_thread(lambda: 1 in book)
        assert isinstance(err, RuntimeError)
        assert 1 in book
    assert in_thread(lambda: 1 in book) is True


def test_a_commands_array_changed_under_execute_cannot_corrupt_the_book():
    """Item 20: the GIL is released during execute(); another thread flipping
    `quantity` between validation and use left orders with 4,294,967,295 shares.
    Each command is now copied before it is looked at."""
    book = Book("T")
    n = 20_000
    commands = new_commands(n)
    commands["action"], commands["side"], commands["order_type"] = Action.NEW, Side.BUY, OrderType.LIMIT
    commands["tif"], commands["price"], commands["quantity"] = TimeInForce.DAY, 100_000, 100
    stop = threading.Event()

    def flip():
        q = commands["quantity"]
        while not stop.is_set():
            q[:] = -1  # invalid: rejected if seen
            q[:] = 100

    flipper = threading.Thread(target=flip)
    flipper.start()
    try:
        for round_ in range(20):
            commands["order_id"] = np.arange(1, n + 1, dtype=np.uint64) + round_ * n
            commands["ts"] = round_
            book.execute(commands)
    finally:
        stop.set()
        flipper.join()
    orders = book.orders()
    assert book.check_integrity() is None
    assert orders.size == 0 or int(orders["leaves"].max()) <= MAX_QUANTITY
    assert set(orders["leaves"].tolist()) <= {100}


def _calls(book, pbook, builder, view, decoder):
    """Every public method, with arguments that make sense."""
    q = new_quotes(1)
    q["venue"], q["bid_price"], q["bid_size"] = 0, 99_000, 100
    return [
        lambda: book.submit(10**9, Side.BUY, 90_000, 1), lambda: book.cancel(10**9), lambda: book.reduce(3, 1),
        lambda: book.replace(3, 90_000, 5), lambda: book.expire(tif=TimeInForce.GTC), lambda: book.top(),
        lambda: book.best_bid(), lambda: book.best_ask(), lambda: book.depth(5), lambda: book.order(3),
        lambda: book.orders(), lambda: len(book), lambda: 3 in book, lambda: book.order_count,
        lambda: book.bid_levels, lambda: book.ask_levels, lambda: book.memory_bytes, lambda: book.pending_events,
        lambda: book.last_sequence, lambda: book.last_timestamp, lambda: book.take_events(),
        lambda: book.clear_events(), lambda: book.save_snapshot(), lambda: book.check_integrity(),
        lambda: book.best_ranked_price(Side.BUY), lambda: book.reserve(10), lambda: repr(book),
        lambda: book.execute(new_commands(0)), lambda: book.order_record(5, Side.BUY, 90_000, 1),
        lambda: pbook.update_quote("X", 99_000, 100, 0, 0), lambda: pbook.update_quotes(q),
        lambda: pbook.protected_bbo(), lambda: pbook.check_print(100_000), lambda: pbook.quote("X"),
        lambda: pbook.config, lambda: pbook.fee_schedule, lambda: pbook.in_regular_hours,
        lambda: pbook.quote_version, lambda: pbook.configure(rule611=True), lambda: pbook.self_help_active("X", 0),
        lambda: pbook.set_fee_schedule(take_fee_nd=1), lambda: pbook.start_regular_hours(),
        lambda: builder.book(1), lambda: builder.book_count, lambda: builder.stats, lambda: builder.select([]),
        lambda: view.top() if view is not None else None, lambda: view.orders() if view is not None else None,
        lambda: decoder.lines,
    ]


def test_thread_stress_every_method_during_batches():
    """The net for items 4, 5 and 20: every public method of Book, ProtectedBook,
    BookBuilder and a builder's book view, called from a second thread while
    batches run on them without the GIL. Each call works or raises
    RuntimeError; nothing crashes; every book is sound afterwards."""
    book, pbook = Book("S"), ProtectedBook("S", venues=["X", "Y"])
    flow = generate_flow(50_000, seed=2)
    builder, feed = built_books()
    view = builder.book(next(loc for loc in range(1, 10) if builder.book(loc) is not None))
    decoder = LobsterDecoder()
    text = b"34200.0,1,1,100,100500,1\n" * 50_000
    calls = _calls(book, pbook, builder, view, decoder)
    stop = threading.Event()
    errors: list[BaseException] = []
    outcomes = {"ok": 0, "refused": 0}

    def batches():
        k = 0
        while not stop.is_set():
            k += 1
            f = flow.copy()
            f["ts"] += k * 10**12
            f["order_id"] = np.where(f["order_id"] > 0, f["order_id"] + np.uint64(k * 10**7), 0)
            f["new_order_id"] = np.where(f["new_order_id"] > 0, f["new_order_id"] + np.uint64(k * 10**7), 0)
            for target in (book, pbook):
                try:
                    target.execute(f)
                except RuntimeError:
                    pass
            try:
                builder.apply(feed)
                decoder.decode(text)
            except RuntimeError:
                pass

    def hammer():
        try:
            while not stop.is_set():
                for call in calls:
                    try:
                        call()
                        outcomes["ok"] += 1
                    except RuntimeError:
                        outcomes["refused"] += 1
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    workers = [threading.Thread(target=batches), threading.Thread(target=hammer)]
    for w in workers:
        w.start()
    time.sleep(1.5)
    stop.set()
    for w in workers:
        w.join()
    assert not errors, errors
    assert outcomes["ok"] > 0
    for b in (book, pbook, view):
        assert b.check_integrity() is None


def test_rematcher_and_decoders_share_the_guard():
    book = ProtectedBook("R", venues=["X"])
    rematcher = Rematcher(book)
    feed, _ = ItchDecoder().decode(generate_itch(2_000, symbols=1, seed=3), final=True)
    with book.hold():
        err = in_thread(lambda: rematcher.apply(feed))
        assert isinstance(err, RuntimeError)
        err = in_thread(lambda: rematcher.stats)
        assert isinstance(err, RuntimeError)
    rematcher.apply(feed)
    assert book.check_integrity() is None


@pytest.mark.parametrize("make", [Book, lambda s: ProtectedBook(s, venues=["X"])])
def test_hold_is_reentrant_for_its_thread_and_released_on_error(make):
    book = make("H")
    with pytest.raises(KeyError):
        with book.hold():
            with book.hold():
                book.submit(1, Side.BUY, 100_000, 100)
            raise KeyError("inside")
    assert in_thread(lambda: len(book)) == 1
