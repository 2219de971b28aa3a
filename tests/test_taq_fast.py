"""The fast TAQ quote reader (pyarrow) gives exactly what the row-by-row
reader gives, or stands aside so that reader refuses what it refuses, with
the same message."""
import numpy as np
import pytest

import engine.replay.quotes as quotes_module
from engine.replay import ReplayError, read_quotes
from support.shared_data import TAQ, needs_data
from support.taq_files import write_taq

pytest.importorskip("pyarrow")
HEADER = "DT_NY,DT,EX,BID,BIDSIZ,OFR,OFRSIZ,SYMBOL\n"


def both(monkeypatch, path, reader=read_quotes, module=quotes_module, fast_path="read_taq_quotes_fast", **kw):
    """(the result with the fast path, without it); an exception counts as a result."""
    def run():
        try:
            return reader(path, **kw)
        except ReplayError as exc:
            return str(exc)
    fast = run()
    with monkeypatch.context() as m:
        m.setattr(module, fast_path, lambda *a, **k: None)
        slow = run()
    return fast, slow


def assert_same(fast, slow):
    if isinstance(slow, str):
        assert fast == slow
        return
    assert fast.quotes.dtype == slow.quotes.dtype and np.array_equal(fast.quotes, slow.quotes)
    assert (fast.venues, fast.days, fast.date, fast.symbols) == (slow.venues, slow.days, slow.date, slow.symbols)


def test_the_fast_path_is_taken(tmp_path, monkeypatch):
    trades, quotes = write_taq(tmp_path)
    calls = []
    real = quotes_module.read_taq_quotes_fast
    monkeypatch.setattr(quotes_module, "read_taq_quotes_fast", lambda *a: calls.append(1) or real(*a))
    assert len(read_quotes(quotes).quotes) > 0 and calls == [1]
    assert real(quotes, HEADER.strip().split(","), None, 100, None, None) is not None


@pytest.mark.parametrize("kw", [{}, {"date": "2024-03-04"}, {"symbol": "BBB"}, {"date": "2024-03-04", "symbol": "AAA"},
                                {"venues": ["Z", "Q"], "round_lot": 1}, {"date": "2030-01-01"},
                                {"symbol": "NONE"}])
def test_generated_files_read_alike(tmp_path, monkeypatch, kw):
    _, quotes = write_taq(tmp_path)
    assert_same(*both(monkeypatch, quotes, **kw))


@needs_data
@pytest.mark.parametrize("kw", [{}, {"date": "2018-01-03"}, {"symbol": "XXX"}])
def test_the_shared_sample_reads_alike(monkeypatch, kw):
    fast, slow = both(monkeypatch, TAQ, **kw)
    assert len(slow.quotes) > 50_000
    assert_same(fast, slow)


ROWS = "2018-01-02 09:30:00.5,0,A,10.00,1,10.02,2,XYZ\n2018-01-02 09:30:01,0,B,9.99,3,10.03,4,XYZ\n"


@pytest.mark.parametrize("odd", [
    "2018-01-02 09:31:00,0,A,10.00001,1,10.02,2,XYZ\n",  # five decimals: refused
    "2018-01-02 09:31:00,0,A,1e1,1,10.02,2,XYZ\n",  # not a plain price
    "2018-01-02T09:31:00,0,A,10.00,1,10.02,2,XYZ\n",  # another time shape
    "2018-01-02 25:31:00,0,A,10.00,1,10.02,2,XYZ\n",  # an hour past 23: read as the row-by-row reader reads it
    "2018-01-02 09:31:00,0,A,10.00,-1,10.02,2,XYZ\n",  # a negative size
    "2018-01-02 09:31:00,0,A,,,10.02,2,XYZ\n",  # no bid
    "2018-01-02 09:31:00,0,A,-10.00,1,10.02,2,XYZ\n",  # a negative price (read as none)
    "\n",  # a blank line
    "2018-01-02 09:31:00,0,A,10.00,1\n",  # a short row
    "2018-01-02 09:31:00.1234567891,0,A,10.00,1,10.02,2,XYZ\n",  # ten decimals of a second
])
def test_odd_rows_read_or_refused_alike(tmp_path, monkeypatch, odd):
    path = tmp_path / "quotes.csv"
    path.write_text(HEADER + ROWS + odd + ROWS.replace("09:30", "09:32"))
    assert_same(*both(monkeypatch, path))


def test_too_many_venues_refused_alike(tmp_path, monkeypatch):
    path = tmp_path / "quotes.csv"
    path.write_text(HEADER + "".join(f"2018-01-02 09:30:00,0,V{i},10.00,1,10.02,2,XYZ\n" for i in range(40)))
    fast, slow = both(monkeypatch, path)
    assert isinstance(slow, str) and "more than" in slow
    assert fast == slow


def test_compressed_and_empty_files_alike(tmp_path, monkeypatch):
    import gzip

    path = tmp_path / "quotes.csv.gz"
    path.write_bytes(gzip.compress((HEADER + ROWS).encode()))
    assert_same(*both(monkeypatch, path))
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER)
    assert_same(*both(monkeypatch, empty, date="2018-01-02"))


@pytest.mark.parametrize("kw", [{}, {"date": "2024-03-04", "symbol": "BBB"}, {"venues": ["Z"]}])
def test_a_file_read_in_many_blocks_reads_alike(tmp_path, monkeypatch, kw):
    """The fast path streams the file in blocks: days, symbols and venues are
    still numbered in order of first appearance across them."""
    import engine.replay.taq_fast as taq_fast

    _, quotes = write_taq(tmp_path)
    monkeypatch.setattr(taq_fast, "BLOCK", 4096)  # about 60 rows a block
    header = HEADER.strip().split(",")
    assert taq_fast.read_taq_quotes_fast(quotes, header, kw.get("venues"), 100, kw.get("date"),
                                         kw.get("symbol")) is not None  # the fast path, not the fallback
    fast, slow = both(monkeypatch, quotes, **kw)
    assert_same(fast, slow)


# --------------------------------------------------------------- trades
TRADES = "DT_NY,DT,EX,SYMBOL,COND,SIZE,PRICE,CORR\n"
TRADE_ROWS = ("2018-01-02 09:30:00.5,0,A,XYZ,,100,10.01,0\n2018-01-02 09:30:01,0,B,XYZ,F,200,10.0125,0\n"
              "2018-01-02 09:30:02,0,A,XYZ,@ I,300,10.02,1\n")


def both_trades(monkeypatch, path, **kw):
    import engine.surveil.trades as trades_module
    from engine.surveil import read_trades

    return both(monkeypatch, path, read_trades, trades_module, "_read_trades_fast", **kw)


def assert_same_tape(fast, slow):
    if isinstance(slow, str):
        assert fast == slow
        return
    for name in ("day", "ts", "venue", "price", "size", "conditions", "symbol"):
        a, b = getattr(fast, name), getattr(slow, name)
        assert a.dtype == b.dtype and a.tolist() == b.tolist(), name
    assert (fast.venues, fast.symbols, fast.corrected, fast.path) == (slow.venues, slow.symbols, slow.corrected,
                                                                      slow.path)


@pytest.mark.parametrize("kw", [{}, {"date": "2024-03-04"}, {"symbol": "BBB"}, {"date": "2024-03-01", "symbol": "CCC"},
                                {"date": "2030-01-01"}])
def test_generated_tapes_read_alike(tmp_path, monkeypatch, kw):
    import engine.surveil.trades as trades_module

    trades, _ = write_taq(tmp_path)
    header = TRADES.strip().split(",")
    assert trades_module._read_trades_fast(trades, header, str(trades), None, None) is not None
    fast, slow = both_trades(monkeypatch, trades, **kw)
    assert_same_tape(fast, slow)


@needs_data
def test_the_shared_tape_reads_alike(monkeypatch):
    from support.shared_data import DATA

    fast, slow = both_trades(monkeypatch, DATA / "taq" / "trades_2018-01-02_03.csv.gz")
    assert len(slow) == 77_261
    assert_same_tape(fast, slow)


@pytest.mark.parametrize("odd", [
    "2018-01-02 09:31:00,0,A,XYZ,,100,1e1,0\n",  # not a plain price
    "2018-01-02 09:31:00,0,A,XYZ,,100,10.0000001,0\n",  # finer than $0.000001
    "2018-01-02 09:31:00,0,A,XYZ,,100,0,0\n",  # a price of zero
    "2018-01-02 09:31:00,0,A,XYZ,,0,10.00,0\n",  # no shares
    "2018-01-02 09:31:00,0,A,XYZ,,-5,10.00,0\n",  # negative shares
    "2018-01-02T09:31:00,0,A,XYZ,,100,10.00,0\n",  # another time shape
    "\n",  # a blank line: skipped by both
    "2018-01-02 09:31:00,0,A,XYZ\n",  # a short row
    '2018-01-02 09:31:00,0,A,XYZ,"F,I",100,10.00,0\n',  # a quoted condition with a comma
    "2018-01-03 09:31:00,0,A,XYZ,,100,10.00,0\n",  # another day
])
def test_odd_trade_rows_read_or_refused_alike(tmp_path, monkeypatch, odd):
    path = tmp_path / "trades.csv"
    path.write_text(TRADES + TRADE_ROWS + odd + TRADE_ROWS.replace("09:30", "09:32"))
    for kw in ({}, {"date": "2018-01-02"}):
        assert_same_tape(*both_trades(monkeypatch, path, **kw))


def test_a_tape_read_in_many_blocks_reads_alike(tmp_path, monkeypatch):
    import engine.replay.taq_fast as taq_fast

    import engine.surveil.trades as trades_module

    trades, _ = write_taq(tmp_path)
    monkeypatch.setattr(taq_fast, "BLOCK", 4096)
    assert trades_module._read_trades_fast(trades, TRADES.strip().split(","), str(trades), None, None) is not None
    assert_same_tape(*both_trades(monkeypatch, trades))
