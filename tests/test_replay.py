"""Replay: LOBSTER and ITCH 5.0 readers, book building verified against LOBSTER's
own orderbook files, re-matching, quote files, and the CLI."""
import gzip
import os
import subprocess
import sys
import zipfile
from collections import defaultdict

import numpy as np
import pytest

import engine.replay.decode as decode_mod
from engine import Book, Feed, FeedKind, Liquidity, Side
from engine import EventType as T
from engine._core import BookBuilder, ItchDecoder, LobsterDecoder, OrderbookDecoder, Rematcher, generate_itch
from engine.dtypes import FEED_DTYPE
from engine.replay import (
    ReplayError,
    iter_itch,
    iter_lobster,
    progress_total,
    read_lobster_orderbook,
    read_quote_file,
    rematch,
    replay,
    replay_itch,
    replay_lobster,
)
from support.observe import Ev, as_evs
from support.shared_data import AAPL_BOOK, AAPL_MSG, AMZN_BOOK, AMZN_MSG, ITCH, TAQ, needs_data



def all_records(batches) -> np.ndarray:
    """Concatenate decoded batches (copies: the readers reuse one buffer)."""
    parts = [b.copy() for b in batches]
    out = np.empty(sum(len(p) for p in parts), dtype=FEED_DTYPE)
    i = 0
    for p in parts:
        out[i:i + len(p)] = p
        i += len(p)
    return out


# ------------------------------------------------------------- LOBSTER
@needs_data
@pytest.mark.parametrize(
    "msg, book, levels, counts",
    [(AAPL_MSG, AAPL_BOOK, 10, (10, 2, 2)), (AMZN_MSG, AMZN_BOOK, 1, (3_875, 3_849, 3_246))],
    ids=["AAPL_level10", "AMZN_level1"],
)
def test_lobster_replay_reproduces_the_orderbook_file(msg, book, levels, counts):
    r = replay_lobster(msg, book)
    s = r.stats
    rows = read_lobster_orderbook(book)
    assert s["messages"] == len(rows) and s["rows_checked"] == len(rows) - 1
    # the data README: levels entering the window with no add message, 14 (AAPL) and 10,970 (AMZN)
    assert (s["levels_imported"], s["levels_resized"], s["levels_dropped"]) == counts
    assert r.corrections == {10: 14, 1: 10_970}[levels]
    b = r.book()
    assert b.check_integrity() is None
    # the final book equals the file's last row, level by level
    bids, asks = b.depth(levels)
    last = rows[-1].reshape(levels, 4)
    want_asks = [(int(p), int(q)) for p, q in last[:, 0:2] if q > 0]
    want_bids = [(int(p), int(q)) for p, q in last[:, 2:4] if q > 0]
    assert [(int(x["price"]), int(x["quantity"])) for x in asks] == want_asks
    assert [(int(x["price"]), int(x["quantity"])) for x in bids] == want_bids


@needs_data
def test_lobster_every_row_matches_after_correction():
    """Check the corrected book against every row from Python, independently of the C++ counters."""
    msgs = all_records(iter_lobster(AAPL_MSG))
    rows = read_lobster_orderbook(AAPL_BOOK)
    b = BookBuilder()
    for i in range(len(msgs)):
        b.apply_lobster_verified(msgs[i:i + 1], rows[i:i + 1])
        bids, asks = b.book(0).depth(10)
        row = rows[i].reshape(10, 4)
        assert [(int(x["price"]), int(x["quantity"])) for x in asks] == [(int(p), int(q)) for p, q in row[:, :2] if q]
        assert [(int(x["price"]), int(x["quantity"])) for x in bids] == [(int(p), int(q)) for p, q in row[:, 2:] if q]
    assert b.stats["levels_imported"] + b.stats["levels_resized"] + b.stats["levels_dropped"] == 14


@needs_data
def test_lobster_messages_decode_exactly():
    msgs = all_records(iter_lobster(AMZN_MSG))  # this file has a header row
    assert len(msgs) == 57_515
    first = msgs[0]
    assert (int(first["ts"]), int(first["kind"]), int(first["price"]), int(first["side"])) == (
        34_200_017_460_000, FeedKind.HIDDEN_EXECUTION, 2_238_200, Side.SELL)
    aapl = all_records(iter_lobster(AAPL_MSG))  # no header row, nanosecond times
    assert int(aapl[0]["ts"]) == 34_200_004_241_176 and int(aapl[0]["order_id"]) == 16_113_575
    assert set(np.unique(aapl["kind"]).tolist()) <= {1, 2, 3, 4, 7}


@needs_data
def test_lobster_compressed_and_chunked_inputs_give_the_same_result(tmp_path, monkeypatch):
    plain = replay_lobster(AAPL_MSG, AAPL_BOOK).stats
    gz = tmp_path / (AAPL_MSG.name + ".gz")
    gz.write_bytes(gzip.compress(AAPL_MSG.read_bytes()))
    zp = tmp_path / (AAPL_MSG.name + ".zip")
    with zipfile.ZipFile(zp, "w") as z:
        z.write(AAPL_MSG, AAPL_MSG.name)
    assert replay_lobster(gz, AAPL_BOOK).stats == plain
    assert replay_lobster(zp, AAPL_BOOK).stats == plain
    monkeypatch.setattr(decode_mod, "CHUNK_BYTES", 1_000)  # rows split across chunks
    monkeypatch.setattr(decode_mod, "BUFFER_RECORDS", 7)
    assert replay_lobster(AAPL_MSG, AAPL_BOOK).stats == plain


def test_lobster_optional_seventh_column_crlf_and_header(tmp_path):
    p = tmp_path / "X_message_1.csv"
    p.write_bytes(b"Time,Type,OrderId,Size,Price,Direction,Extra\r\n"
                  b"34200.5,1,7,100,100500,1,0\r\n34200.6,1,8,50,100600,-1,0\r\n34201,3,7,100,100500,1,0")
    r = replay_lobster(p)
    assert (r.stats["adds"], r.stats["deletes"]) == (2, 1)
    assert r.book().top() == (None, 0, 100600, 50)


@pytest.mark.parametrize(
    "row, problem",
    [(b"34200.1,9,7,100,100500,1", "unknown message type"), (b"34200.1,1,7,100,100500,2", "direction"),
     (b"34200.1,1,x,100,100500,1", "order id"), (b"34200.1,1,7,100", "price"),
     (b"34200.x,1,7,100,100500,1", "time"), (b"-1.5,1,7,100,100500,1", "time"),
     (b"34200.1,1,7,-5,100500,1", "negative size")],
)
def test_lobster_malformed_row_names_the_file_and_line(tmp_path, row, problem):
    p = tmp_path / "bad_message_1.csv"
    p.write_bytes(b"34200.0,1,1,100,100500,1\n" + row + b"\n")
    with pytest.raises(ReplayError, match=rf"bad_message_1\.csv: line 2: .*{problem}"):
        replay_lobster(p)


def test_lobster_decoder_reports_partial_lines():
    d = LobsterDecoder()
    recs, used = d.decode(b"34200.0,1,1,100,100500,1\n34200.1,1,2,1")
    assert len(recs) == 1 and used == 25


def test_lobster_orderbook_rows_header_crlf_and_empty_levels(tmp_path):
    p = tmp_path / "X_orderbook_1.csv"
    # LOBSTER marks an empty level with -9999999999 / 9999999999: a leading '-' on line 1 is a row, not a header
    p.write_bytes(b"-9999999999,0,100500,300\r\n\r\n100600,200,100500,100\n100600,200,-9999999999,0")
    assert read_lobster_orderbook(p).tolist() == [
        [-9999999999, 0, 100500, 300], [100600, 200, 100500, 100], [100600, 200, -9999999999, 0]]
    h = tmp_path / "H_orderbook_1.csv"
    h.write_bytes(b"AskPrice1,AskSize1,BidPrice1,BidSize1\n100600,200,100500,100\n")
    assert read_lobster_orderbook(h).tolist() == [[100600, 200, 100500, 100]]


@pytest.mark.parametrize(
    "row, problem",
    [(b"100600,200,100500", "expected an integer in every column"), (b"100600,200,100500,1,7", "more columns"),
     (b"100600,x,100500,100", "expected an integer in every column")],
)
def test_lobster_orderbook_malformed_row_names_the_line(tmp_path, row, problem):
    p = tmp_path / "bad_orderbook_1.csv"
    p.write_bytes(b"100600,200,100500,100\n" + row + b"\n")
    with pytest.raises(ReplayError, match=rf"bad_orderbook_1\.csv: line 2: {problem}"):
        read_lobster_orderbook(p)


def test_orderbook_decoder_reports_partial_lines():
    d = OrderbookDecoder(1)
    rows, used = d.decode(b"100600,200,100500,100\n100600,2")
    assert rows.tolist() == [[100600, 200, 100500, 100]] and used == 22


# ---------------------------------------------------------------- ITCH
@needs_data
def test_itch_shared_excerpt():
    d = ItchDecoder()
    msgs = all_records(iter_itch(ITCH, d))
    kinds = {k: int((msgs["kind"] == k).sum()) for k in np.unique(msgs["kind"]).tolist()}
    # the data README: one system event, 993 stock directory, 3 trading action, 3 Reg SHO
    assert kinds == {FeedKind.SYSTEM_EVENT: 1, FeedKind.STOCK_DIRECTORY: 993, FeedKind.TRADING_HALT: 3}
    assert (d.messages, d.skipped) == (1_000, 3)
    stocks = d.stocks()
    assert len(stocks) == 993 and stocks[1] == ("A", "N", 100) and stocks[2][0] == "AA"
    r = replay_itch(ITCH)
    assert r.stats["messages_in_file"] == 1_000 and r.stats["skipped_types"] == 3


def model_book(msgs: np.ndarray, locate: int) -> dict:
    """A pure-Python feed handler: order id -> [side, price, shares], for one stock."""
    orders = {}
    for m in msgs[msgs["locate"] == locate].tolist():
        ts, oid, new_id, price, qty, _loc, kind, side, _code = m
        if kind == FeedKind.ADD:
            orders[oid] = [side, price, qty]
        elif kind in (FeedKind.CANCEL, FeedKind.EXECUTE, FeedKind.EXECUTE_AT_PRICE):
            orders[oid][2] -= qty
            if orders[oid][2] <= 0:
                del orders[oid]
        elif kind == FeedKind.DELETE:
            del orders[oid]
        elif kind == FeedKind.REPLACE:
            side = orders.pop(oid)[0]
            orders[new_id] = [side, price, qty]
    return orders


def test_generated_itch_covers_every_order_message_and_builds_correctly(tmp_path):
    path = tmp_path / "gen.itch"
    path.write_bytes(generate_itch(60_000, 3, seed=5))
    d = ItchDecoder()
    msgs = all_records(iter_itch(path, d))
    types = set(np.unique(msgs["kind"]).tolist())
    dbn_only = {FeedKind.NONE, FeedKind.MODIFY, FeedKind.CLEAR, FeedKind.TRADE, FeedKind.FILL}
    assert types == {k.value for k in FeedKind if k not in dbn_only}
    raw = path.read_bytes()
    assert {raw[i + 2] for i in _frames(raw)} >= set(b"AFECXDUPQSRHY")  # every type on the wire, plus one skipped
    r = replay_itch(path)
    assert r.stats["unknown_orders"] == r.stats["duplicate_adds"] == r.stats["over_executions"] == 0
    for loc, (sym, _, _) in r.stocks.items():
        want = model_book(msgs, loc)
        book = r.book(sym)
        assert book.check_integrity() is None
        got = {int(o["order_id"]): [int(o["side"]), int(o["price"]), int(o["leaves"])] for o in book.orders()}
        assert got == want
        # and the aggregated levels, best first
        levels = defaultdict(int)
        for side, price, q in want.values():
            if side == Side.BUY:
                levels[price] += q
        bids, _ = book.depth(1000)
        assert [(int(x["price"]), int(x["quantity"])) for x in bids] == sorted(levels.items(), reverse=True)


def _frames(raw: bytes):
    i = 0
    while i < len(raw):
        yield i
        i += 2 + int.from_bytes(raw[i:i + 2], "big")


def test_itch_errors_name_the_byte_offset(tmp_path):
    good = generate_itch(50, 1, seed=2)
    cut = tmp_path / "cut.itch"
    cut.write_bytes(good[:-5])
    with pytest.raises(ReplayError, match=r"cut\.itch: byte \d+: the file ends inside a message"):
        replay_itch(cut)
    bad = tmp_path / "badlen.itch"
    bad.write_bytes(b"\x00\x05A\x00\x01\x00\x00" + good)  # an 'A' message 5 bytes long
    with pytest.raises(ReplayError, match=r"badlen\.itch: byte 0: a known message type with the wrong length"):
        replay_itch(bad)
    zero = tmp_path / "zero.itch"
    zero.write_bytes(good[:14] + b"\x00\x00")  # one whole system-event frame, then a zero length
    with pytest.raises(ReplayError, match="length 0"):
        replay_itch(zero)


def test_itch_symbol_filter(tmp_path):
    path = tmp_path / "gen.itch"
    path.write_bytes(generate_itch(20_000, 4, seed=3))
    r = replay_itch(path, symbols=["SYM1", "SYM3"])
    assert r.builder.book_count == 2
    assert r.book("SYM1") is not None and r.builder.book(1) is None
    assert r.stats["filtered"] > 0
    with pytest.raises(KeyError):
        r.book("NOPE")


def test_progress_total_is_unknown_for_compressed_files(tmp_path):
    plain = tmp_path / "m.csv"
    plain.write_bytes(b"x" * 1000)
    packed = tmp_path / "m.csv.gz"
    packed.write_bytes(gzip.compress(b"x" * 1000))
    assert progress_total(plain) == 1000
    assert progress_total(packed) is None  # decompressed bytes are counted: no percentage over 100


def _adds(locates) -> np.ndarray:
    msgs = np.zeros(len(locates), dtype=FEED_DTYPE)
    msgs["kind"] = FeedKind.ADD
    msgs["locate"] = locates
    msgs["order_id"] = np.arange(1, len(locates) + 1)
    msgs["side"] = Side.BUY
    msgs["price"] = 100_000
    msgs["quantity"] = 100
    return msgs


def test_builder_selection_starts_empty_and_grows():
    b = BookBuilder()
    b.select([])  # filter on, nothing selected yet: nothing is built
    b.apply(_adds([1, 2]))
    assert b.book_count == 0 and b.stats["filtered"] == 2
    b.select([2])
    b.apply(_adds([1, 2]))
    assert b.book_count == 1 and b.book(2) is not None and b.stats["filtered"] == 3


def test_builder_bad_locate_selects_nothing():
    b = BookBuilder()
    with pytest.raises(ValueError, match="locate 70000 is outside 0..65535"):
        b.select([1, 70000])
    b.apply(_adds([1, 2]))  # the rejected call left the builder unfiltered
    assert b.book_count == 2 and b.stats["filtered"] == 0


def test_itch_unknown_execution_is_counted_not_fatal(tmp_path):
    msgs = np.zeros(2, dtype=FEED_DTYPE)
    msgs["kind"] = [FeedKind.EXECUTE, FeedKind.DELETE]
    msgs["order_id"] = [99, 98]
    msgs["locate"] = 1
    b = BookBuilder()
    b.apply(msgs)
    assert b.stats["unknown_orders"] == 2


# ----------------------------------------------------------- re-matching
def test_rematcher_turns_each_execution_into_an_inferred_ioc():
    b = Book("X")
    rm = Rematcher(b)
    m = np.zeros(3, dtype=FEED_DTYPE)
    m["kind"] = [FeedKind.ADD, FeedKind.EXECUTE, FeedKind.EXECUTE]
    m["order_id"] = 5
    m["side"] = Side.SELL
    m["price"] = 100500
    m["quantity"] = [100, 60, 40]
    m["ts"] = [1, 2, 3]
    first = rm.first_inferred_id
    assert first == 1 << 62  # above any id a feed uses
    assert as_evs(rm.apply(m)) == [
        Ev(T.ACCEPTED, 5, Side.SELL, 100500, 100, 100, ts=1),
        Ev(T.ACCEPTED, first, Side.BUY, 100500, 60, 60, ts=2),
        Ev(T.FILL, first, Side.BUY, 100500, 60, 0, contra_id=5, contra_leaves=40, liquidity=Liquidity.MAKER_DISPLAYED,
           ts=2),
        Ev(T.ACCEPTED, first + 1, Side.BUY, 100500, 40, 40, ts=3),
        Ev(T.FILL, first + 1, Side.BUY, 100500, 40, 0, contra_id=5, liquidity=Liquidity.MAKER_DISPLAYED, ts=3),
    ]
    assert (rm.stats["inferred_takers"], rm.stats["history_shares"], b.order_count) == (2, 100, 0)


@needs_data
def test_rematch_lobster_without_quotes(tmp_path):
    out = tmp_path / "events.csv"
    r = rematch(AMZN_MSG, events_out=out)
    s = r.stats
    assert s["messages"] == 57_515 and s["orders"] == 27_845
    assert s["history_executions"] == 8_974 and s["history_shares"] == 613_248
    assert s["inferred_takers"] == 8_974
    assert r.events["fills"] > 0 and r.events["codes"] == {"NONE": r.events["fills"]}
    lines = out.read_text().splitlines()
    assert lines[0].startswith("seq,ts,order_id") and len(lines) > 50_000
    assert "history: 8,974 executions for 613,248 shares" in r.summary()


@needs_data
def test_rematch_with_taq_quotes_runs_the_trade_through_check():
    r = rematch(AMZN_MSG, TAQ)
    assert r.stats["quotes"] == 66_695  # the file's first date
    assert len(r.venues) == 12
    assert r.events["blocked"] > 0
    assert set(r.events["codes"]) <= {"NO_TRADE_THROUGH", "CROSSED_MARKET", "FLICKER", "MIXED", "SUB_PENNY"}
    assert "Rule 611: blocked trade-throughs" in r.summary()


def test_rematch_generated_itch_needs_a_symbol(tmp_path):
    path = tmp_path / "gen.itch"
    path.write_bytes(generate_itch(5_000, 3, seed=4))
    with pytest.raises(ReplayError, match="symbol="):
        rematch(path)
    r = rematch(path, symbol="SYM2")
    assert r.stats["orders"] > 0 and r.events["fills"] > 0


# ----------------------------------------------------------------- quotes
@needs_data
def test_taq_quote_file():
    q, venues = read_quote_file(TAQ)
    assert venues[0] == "P" and len(venues) == 12
    assert (int(q[0]["bid_price"]), int(q[0]["bid_size"]), int(q[0]["ask_price"])) == (1_565_700, 100, 1_588_500)
    assert np.all(np.diff(q["ts"]) >= 0)
    q2, _ = read_quote_file(TAQ, date="2018-01-03")
    assert len(q) + len(q2) == 131_401


def test_own_quote_file_and_errors(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text("ts,venue,bid,bid_size,ask,ask_size,condition\n5,Y,100400,300,100600,200,B\n1,X,100300,100,0,0,\n")
    q, venues = read_quote_file(p, feed="CQS")
    assert venues == ["Y", "X"] and q["ts"].tolist() == [1, 5]
    assert chr(int(q[1]["condition"])) == "B" and int(q[1]["feed"]) == Feed.CQS
    bad = tmp_path / "bad.csv"
    bad.write_text("ts,venue,bid,bid_size,ask,ask_size,condition\n5,Y,10.04,300,100600,200,\n")
    with pytest.raises(ReplayError, match=r"bad\.csv: line 2"):
        read_quote_file(bad)
    many = tmp_path / "many.csv"  # the protected-quote table holds 32 venues
    many.write_text("ts,venue,bid,bid_size,ask,ask_size,condition\n"
                    + "".join(f"{i},V{i},100400,100,100600,100,\n" for i in range(33)))
    with pytest.raises(ReplayError, match=r"many\.csv: line 34: more than 32 venues"):
        read_quote_file(many)


# -------------------------------------------------------------------- CLI
@needs_data
def test_cli_replay_as_a_newcomer_would_use_it():
    out = subprocess.run([sys.executable, "-m", "engine", "replay", str(AAPL_MSG), "--no-progress"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "levels taken from the file: 14" in out.stdout and "M messages/s" in out.stdout


def test_cli_replay_generated_and_errors(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    out = subprocess.run([sys.executable, "-m", "engine", "replay", "--generate", "20000", "--no-progress"],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "TMPDIR": str(scratch)})
    assert out.returncode == 0 and "anomalies: none" in out.stdout
    assert list(scratch.iterdir()) == []  # the generated file is not left behind
    missing = subprocess.run([sys.executable, "-m", "engine", "replay", str(tmp_path / "nope.csv")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "nope.csv: no such file" in missing.stderr


def test_replay_dispatches_on_the_format(tmp_path):
    path = tmp_path / "flow.itch"
    path.write_bytes(generate_itch(1_000, 1, seed=9))
    assert replay(path).file_format == "itch"
    assert isinstance(replay(path).book("SYM0"), Book)


def test_own_quote_file_condition_codes_keep_their_feed(tmp_path):
    """Issue 9, item 25 (REQ-FEED-01): a UQDF 'F' (fast trading: protected) was read
    as CQS 'F' (slow on the ask: not protected). The feed comes from a column
    per row or from the caller for the whole file; a code with neither is refused."""
    from engine import ProtectedBook

    rows = "1,Y,100400,100,100600,100,F,UQDF\n2,Z,100300,100,100700,100,F,cqs\n"
    p = tmp_path / "q.csv"
    p.write_text("ts,venue,bid,bid_size,ask,ask_size,condition,feed\n" + rows)
    q, venues = read_quote_file(p)
    assert q["feed"].tolist() == [Feed.UQDF, Feed.CQS]
    b = ProtectedBook("Q", venues=venues)
    b.update_quotes(q)
    assert b.quote("Y").ask_automated and not b.quote("Z").ask_automated
    assert b.protected_bbo().offer == 100600  # Y's UQDF 'F' offer is protected
    plain = tmp_path / "plain.csv"
    plain.write_text("ts,venue,bid,bid_size,ask,ask_size,condition\n1,Y,100400,100,100600,100,F\n")
    assert read_quote_file(plain, feed="uqdf")[0]["feed"].tolist() == [Feed.UQDF]
    with pytest.raises(ReplayError, match=r"plain\.csv: line 2: condition 'F' needs the feed it comes from"):
        read_quote_file(plain)
    bad = tmp_path / "bad.csv"
    bad.write_text("ts,venue,bid,bid_size,ask,ask_size,condition,feed\n1,Y,100400,100,100600,100,F,OPRA\n")
    with pytest.raises(ReplayError, match=r"bad\.csv: line 2: feed 'OPRA' is not CQS, UQDF or DIRECT"):
        read_quote_file(bad)


def test_decoders_refuse_an_output_array_they_cannot_write():
    """Issue 9, item 6: a read-only out= (an immutable bytes, a read-only memmap)
    was written to. Refused with an error naming out; so is a misaligned one."""
    from engine import FEED_DTYPE
    from engine._core import ItchDecoder, LobsterDecoder, generate_itch

    read_only = np.frombuffer(bytes(48 * 100), dtype=FEED_DTYPE)
    raw = np.zeros(48 * 100 + 1, dtype=np.uint8)
    misaligned = raw[1:].view(FEED_DTYPE)
    for decoder, data in ((LobsterDecoder(), b"34200.0,1,1,100,100500,1\n"), (ItchDecoder(), generate_itch(5))):
        with pytest.raises(ValueError, match="out must be a writable array"):
            decoder.decode(data, out=read_only)
        with pytest.raises(ValueError, match="out must be aligned"):
            decoder.decode(data, out=misaligned)


def test_verified_lobster_rows_need_at_least_one_level():
    """Issue 9, item 8: rows of zero columns read before the row (a heap overflow)."""
    from engine import FEED_DTYPE
    from engine._core import BookBuilder

    b = BookBuilder()
    with pytest.raises(ValueError, match="rows must have at least one level"):
        b.apply_lobster_verified(np.zeros(3, dtype=FEED_DTYPE), np.zeros((3, 0), dtype=np.int64))
    assert b.stats["messages"] == 0
