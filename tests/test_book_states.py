"""The book after every message (issue 12): computed in C++ during the replay
(BookBuilder.apply(states=)), kept as arrays or written to CSV / Parquet, in
LOBSTER's orderbook layout with its dummy prices for missing levels."""
import numpy as np
import pytest

from engine import FeedKind, Side
from engine._core import BookBuilder, FeedBook, ItchDecoder, generate_itch
from engine.dtypes import FEED_DTYPE
from engine.replay import ReplayError, read_lobster_orderbook, replay, replay_itch, replay_lobster
from engine.replay.states import NO_ASK_PRICE, NO_BID_PRICE, book_state_columns, new_book_states
from support.shared_data import AAPL_BOOK, AAPL_MSG, AMZN_BOOK, AMZN_MSG, needs_data

pa = pytest.importorskip("pyarrow")
import pyarrow.csv as pacsv  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402


def itch_records(messages=20_000, stocks=3, seed=5) -> tuple[np.ndarray, dict]:
    decoder = ItchDecoder()
    records, _ = decoder.decode(generate_itch(messages, stocks, seed), True)
    return records, decoder.stocks()


def expected_states(records: np.ndarray, levels: int) -> np.ndarray:
    """The same states from Python, one message at a time through FeedBooks."""
    books: dict[int, FeedBook] = {}
    out = np.zeros((len(records), 4 * levels), dtype=np.int64)
    for i, m in enumerate(records):
        kind = FeedKind(int(m["kind"]))
        if kind in (FeedKind.SYSTEM_EVENT, FeedKind.STOCK_DIRECTORY):
            continue
        fb = books.setdefault(int(m["locate"]), FeedBook())
        oid, qty = int(m["order_id"]), int(m["quantity"])
        if kind == FeedKind.ADD:
            fb.add(oid, int(m["side"]), int(m["price"]), qty, ts=int(m["ts"]))
        elif kind in (FeedKind.EXECUTE, FeedKind.EXECUTE_AT_PRICE):
            fb.execute(oid, qty)
        elif kind == FeedKind.CANCEL:
            fb.cancel(oid, qty)
        elif kind == FeedKind.DELETE:
            fb.delete(oid)
        elif kind == FeedKind.REPLACE:
            fb.replace(oid, int(m["new_order_id"]), int(m["price"]), qty, ts=int(m["ts"]))
        bids, asks = fb.book.depth(levels)
        row = out[i].reshape(levels, 4)
        row[:, 0], row[:, 1], row[:, 2], row[:, 3] = NO_ASK_PRICE, 0, NO_BID_PRICE, 0
        row[:len(asks), 0], row[:len(asks), 1] = asks["price"], asks["quantity"]
        row[:len(bids), 2], row[:len(bids), 3] = bids["price"], bids["quantity"]
    return out


@pytest.mark.parametrize("levels", [1, 3, 10])
def test_states_are_the_book_after_each_message(levels):
    records, _ = itch_records()
    states = new_book_states(len(records), levels)
    BookBuilder().apply(records, states)
    assert np.array_equal(states, expected_states(records, levels))
    kinds = records["kind"]
    no_book = (kinds == FeedKind.SYSTEM_EVENT) | (kinds == FeedKind.STOCK_DIRECTORY)
    assert no_book.any() and not states[no_book].any()  # zeros: the message reached no book
    assert (states[~no_book][:, 0::4] != 0).all()  # every ask price is a price or LOBSTER's dummy


def test_a_side_with_fewer_levels_shows_lobsters_dummies():
    m = np.zeros(2, dtype=FEED_DTYPE)
    m["kind"] = FeedKind.ADD
    m["order_id"], m["side"], m["price"], m["quantity"] = [1, 2], [Side.BUY, Side.BUY], [100_000, 99_900], [5, 7]
    states = new_book_states(2, 2)
    BookBuilder().apply(m, states)
    assert states.tolist() == [[NO_ASK_PRICE, 0, 100_000, 5, NO_ASK_PRICE, 0, NO_BID_PRICE, 0],
                               [NO_ASK_PRICE, 0, 100_000, 5, NO_ASK_PRICE, 0, 99_900, 7]]


def test_states_follow_the_selected_stocks_only():
    records, stocks = itch_records()
    b = BookBuilder()
    b.select([1])
    states = new_book_states(len(records), 1)
    b.apply(records, states)
    others = records["locate"] != 1
    assert not states[others].any() and states[~others].any()


@pytest.mark.parametrize("bad, error, match", [
    (np.zeros((10, 4), dtype=np.int32), TypeError, "states must be a C-contiguous int64 array"),
    (np.zeros((10, 6), dtype=np.int64), TypeError, "states must be a C-contiguous int64 array"),
    (np.zeros((10, 0), dtype=np.int64), ValueError, "states must have at least one level"),
    (np.zeros((9, 4), dtype=np.int64), ValueError, "states has 9 rows for 10 messages"),
    (np.zeros((10, 8), dtype=np.int64)[:, :4], TypeError, "C-contiguous"),
    ([[0] * 4] * 10, TypeError, "states must be a numpy int64 array"),
])
def test_a_bad_states_array_is_refused_and_changes_nothing(bad, error, match):
    records, _ = itch_records(2_000, 1, 1)
    b = BookBuilder()
    b.apply(records[:100])
    before = b.stats
    with pytest.raises(error, match=match):
        b.apply(records[100:110], bad)
    readonly = np.zeros((10, 4), dtype=np.int64)
    readonly.flags.writeable = False
    with pytest.raises(ValueError, match="states"):
        b.apply(records[100:110], readonly)
    assert b.stats == before


@pytest.mark.parametrize("threads", [True, False])
def test_an_itch_replay_keeps_and_writes_the_states(tmp_path, threads):
    path = tmp_path / "day.itch"
    path.write_bytes(generate_itch(30_000, 3, 4))
    records, stocks = itch_records(30_000, 3, 4)
    r = replay_itch(path, book_levels=2, keep_book_states=True, book_out=tmp_path / "book.parquet", threads=threads)
    assert np.array_equal(r.state_messages, records)
    assert np.array_equal(r.book_states, expected_states(records, 2))
    table = pq.read_table(tmp_path / "book.parquet")
    assert table.column_names == ["message", "ts", "locate", "symbol", "code"] + book_state_columns(2)
    assert table.num_rows == len(records) == r.messages
    assert table.column("message").to_pylist() == list(range(len(records)))
    assert np.array_equal(np.column_stack([table.column(c).to_numpy() for c in book_state_columns(2)]),
                          r.book_states)
    symbols = table.column("symbol").to_pylist()
    for i in np.flatnonzero(records["kind"] == FeedKind.ADD)[:50]:
        assert symbols[i] == stocks[int(records["locate"][i])][0]


def test_states_written_to_csv_match_the_kept_ones(tmp_path):
    path = tmp_path / "X_2012-06-21_34200000_57600000_message_1.csv"
    path.write_bytes(b"34200.5,1,7,100,100500,1\n34200.6,1,8,50,100600,-1\n34201,3,7,100,100500,1\n")
    r = replay_lobster(path, book_levels=1, keep_book_states=True, book_out=tmp_path / "book.csv")
    assert r.book_states.tolist() == [[NO_ASK_PRICE, 0, 100_500, 100], [100_600, 50, 100_500, 100],
                                      [100_600, 50, NO_BID_PRICE, 0]]
    table = pacsv.read_csv(tmp_path / "book.csv")
    assert table.column("symbol").to_pylist() == ["X"] * 3
    assert table.column("ask_price_1").to_pylist() == [NO_ASK_PRICE, 100_600, 100_600]
    assert table.column("ts").to_pylist() == [34_200_500_000_000, 34_200_600_000_000, 34_201_000_000_000]


@needs_data
def test_checked_against_its_orderbook_file_the_states_are_the_files_rows():
    """With the orderbook file, the states are the corrected book: LOBSTER's own
    rows, value for value, dummies included (the first row sets the start)."""
    r = replay_lobster(AAPL_MSG, AAPL_BOOK, book_levels=10, keep_book_states=True)
    assert np.array_equal(r.book_states, read_lobster_orderbook(AAPL_BOOK))
    r1 = replay_lobster(AMZN_MSG, AMZN_BOOK, book_levels=1, keep_book_states=True)
    assert np.array_equal(r1.book_states, read_lobster_orderbook(AMZN_BOOK))


def test_book_state_arguments_are_checked(tmp_path):
    path = tmp_path / "X_message_1.csv"
    path.write_bytes(b"34200.5,1,7,100,100500,1\n")
    with pytest.raises(ValueError, match="need book_levels"):
        replay(path, book_out=tmp_path / "b.csv")
    with pytest.raises(ValueError, match="levels=0 must be between 1 and 1000"):
        new_book_states(3, 0)
    with pytest.raises(ReplayError, match=r"b\.txt: book states can be written as \.csv or \.parquet"):
        replay(path, book_levels=1, book_out=tmp_path / "b.txt")
    with pytest.raises(ReplayError, match="no folder"):
        replay(path, book_levels=1, book_out=tmp_path / "missing" / "b.csv")


# ------------------------------------------------ orderbook files that do not fit
def test_an_orderbook_file_named_for_another_message_file_is_refused(tmp_path):
    msg = tmp_path / "AAPL_2012-06-21_34200000_37800000_message_50.csv"
    msg.write_bytes(b"34200.5,1,7,100,100500,1\n")
    for other, what in [("AAPL_2012-06-21_34200000_57600000_orderbook_1.csv", "end time"),
                        ("AMZN_2012-06-21_34200000_37800000_orderbook_50.csv", "stock"),
                        ("AAPL_2012-06-22_34200000_37800000_orderbook_50.csv", "day"),
                        ("AAPL_2012-06-21_34200000_37800000_orderbook_10.csv", "level count")]:
        book = tmp_path / other
        book.write_bytes(b"100600,100,100500,100\n")
        with pytest.raises(ReplayError, match=f"its {what} .* is not the message file's"):
            replay_lobster(msg, book)


def test_an_orderbook_file_with_rows_left_over_is_refused(tmp_path):
    msg = tmp_path / "X_message_1.csv"
    msg.write_bytes(b"34200.5,1,7,100,100500,1\n")
    book = tmp_path / "X_orderbook_1.csv"
    book.write_bytes(b"9999999999,0,100500,100\n9999999999,0,100500,200\n9999999999,0,100500,300\n")
    with pytest.raises(ReplayError, match=r"X_orderbook_1\.csv: the orderbook file has 2 more rows than the message "
                                          r"file has messages \(1\)"):
        replay_lobster(msg, book)


# ------------------------------------------------ record arrays survive numpy
def test_record_arrays_survive_concatenation():
    from engine import COMMAND_DTYPE, EVENT_DTYPE, LEVEL_DTYPE, ORDER_DTYPE, QUOTE_DTYPE

    for dtype in (FEED_DTYPE, EVENT_DTYPE, COMMAND_DTYPE, QUOTE_DTYPE, ORDER_DTYPE, LEVEL_DTYPE):
        joined = np.concatenate([np.zeros(2, dtype), np.zeros(3, dtype)])
        assert joined.dtype == dtype and joined.dtype.itemsize == dtype.itemsize
    records, _ = itch_records(4_000, 2, 3)
    joined = np.concatenate([records[:1_000], records[1_000:]])
    b = BookBuilder()
    b.apply(joined)  # numpy used to drop the padding, and apply refused the result
    assert b.stats["messages"] == len(records)


def test_the_cli_writes_the_book_after_every_message(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "day.itch"
    path.write_bytes(generate_itch(20_000, 2, 8))
    out = tmp_path / "book.parquet"
    run = subprocess.run([sys.executable, "-m", "engine", "replay", str(path), "--book-out", str(out), "--levels", "3",
                          "--no-progress"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert f"book after every message (3 levels a side): {out}" in run.stdout
    records, _ = itch_records(20_000, 2, 8)
    table = pq.read_table(out)
    assert table.num_rows == len(records)
    assert np.array_equal(np.column_stack([table.column(c).to_numpy() for c in book_state_columns(3)]),
                          expected_states(records, 3))
    bad = subprocess.run([sys.executable, "-m", "engine", "replay", str(path), "--book-out", str(out), "--levels", "0"],
                         capture_output=True, text=True)
    assert (bad.returncode, bad.stderr.strip()) == (1, "error: --levels 0: must be at least 1")
