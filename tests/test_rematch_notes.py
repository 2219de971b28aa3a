"""Match mode's honesty about its inputs (issue 12): notes when the quote
file's symbol or day is not the flow's, --date to choose a TAQ day, counts
that mean what book building's mean, and a rate that counts all the work."""
import importlib
import time

import pytest

from engine.replay import ReplayError, read_quotes, rematch, replay_lobster
from support.shared_data import AMZN_MSG, TAQ, needs_data


def own_quotes(tmp_path):
    q = tmp_path / "quotes.csv"
    q.write_text("ts,venue,bid,bid_size,ask,ask_size,condition\n34200000000000,P,100400,100,100600,100,\n")
    return q


@needs_data
def test_quotes_of_another_stock_and_day_are_noted():
    r = rematch(AMZN_MSG, TAQ)
    assert r.notes == [
        "the quote file is for XXX, the flow for AMZN",
        "the quote file holds 2 days (2018-01-02 to 2018-01-03); used 2018-01-02 (choose with --date)",
        "the quotes are of 2018-01-02, the flow of 2012-06-21",
    ]
    assert "  note: the quote file is for XXX, the flow for AMZN" in r.summary()


@needs_data
def test_date_chooses_the_taq_day():
    q = read_quotes(TAQ, date="2018-01-03")
    assert (q.date, q.days, q.symbols) == ("2018-01-03", ["2018-01-02", "2018-01-03"], ["XXX"])
    r = rematch(AMZN_MSG, TAQ, quote_date="2018-01-03")
    assert r.notes == ["the quote file is for XXX, the flow for AMZN", "the quotes are of 2018-01-03, the flow "
                                                                        "of 2012-06-21"]
    assert r.stats["quotes"] == len(q.quotes)


def test_cancels_and_deletes_mean_the_same_in_build_and_match(tmp_path):
    p = tmp_path / "X_2012-06-21_34200000_57600000_message_1.csv"
    p.write_bytes(b"34200.1,1,1,100,100500,1\n34200.2,1,2,100,100400,1\n34200.3,2,1,40,100500,1\n"
                  b"34200.4,3,2,100,100400,1\n34200.5,3,1,60,100500,1\n")
    built, matched = replay_lobster(p).stats, rematch(p).stats
    assert (built["cancels"], built["deletes"]) == (matched["cancels"], matched["deletes"]) == (1, 2)
    assert "cancels 1, deletes 2" in rematch(p).summary()


def test_the_rate_counts_reading_the_quotes(tmp_path, monkeypatch):
    p = tmp_path / "X_message_1.csv"
    p.write_bytes(b"34200.1,1,1,100,100500,1\n")
    rematch_module = importlib.import_module("engine.replay.rematch")  # the package's name is the function's
    slow_read = rematch_module.read_quotes

    def slow(*args, **kwargs):
        time.sleep(0.2)
        return slow_read(*args, **kwargs)

    monkeypatch.setattr(rematch_module, "read_quotes", slow)
    assert rematch(p, own_quotes(tmp_path)).seconds >= 0.2


def test_a_dbn_file_in_match_mode_is_refused_clearly(tmp_path):
    p = tmp_path / "x.dbn"
    p.write_bytes(b"DBN\x03" + bytes(4))
    with pytest.raises(ReplayError, match=r"x\.dbn: match mode reads LOBSTER and ITCH files \(this is dbn\)"):
        rematch(p)
