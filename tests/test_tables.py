"""Record arrays and book states as tables (issue 12): pandas DataFrames and
Arrow tables, a column per field, enum codes as names on request."""
import numpy as np
import pytest

from engine import EVENT_DTYPE, FEED_DTYPE, Book, EventType, Side, to_arrow, to_pandas
from engine._core import generate_itch
from engine.replay import replay
from engine.replay.states import book_state_columns

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")


def events():
    book = Book("T")
    book.submit(1, Side.SELL, 100_500, 300, ts=1)
    book.submit(2, Side.BUY, 100_500, 100, ts=2)
    book.submit(3, Side.BUY, 100_501, 100, ts=3)  # off the grid: rejected
    return book.take_events()


def test_events_as_a_dataframe_keep_every_field_and_value():
    ev = events()
    df = to_pandas(ev)
    assert list(df.columns) == list(EVENT_DTYPE.names)
    for name in EVENT_DTYPE.names:
        assert df[name].tolist() == ev[name].tolist()
    named = to_pandas(ev, names=True)
    assert named["type"].tolist() == [EventType(t).name for t in ev["type"]]
    assert named["side"].tolist() == [Side(v).name if v in (1, 2) else str(v) for v in ev["side"].tolist()]
    assert str(named["type"].dtype) == "category"


def test_events_as_an_arrow_table():
    ev = events()
    table = to_arrow(ev)
    assert table.column_names == list(EVENT_DTYPE.names) and table.num_rows == len(ev)
    assert table.column("price").to_pylist() == ev["price"].tolist()
    assert to_arrow(ev, names=True).column("type").to_pylist() == [EventType(t).name for t in ev["type"]]


def test_not_a_record_array_is_refused():
    with pytest.raises(TypeError, match="records must be a numpy structured array"):
        to_pandas(np.zeros(3))
    with pytest.raises(TypeError, match="records must be a numpy structured array"):
        to_arrow([1, 2])


def test_a_replays_book_states_as_tables(tmp_path):
    p = tmp_path / "day.itch"
    p.write_bytes(generate_itch(8_000, 2, 2))
    r = replay(p, book_levels=2, keep_book_states=True)
    df = r.to_pandas()
    assert list(df.columns) == list(FEED_DTYPE.names[:6]) + ["symbol"] + list(FEED_DTYPE.names[6:]) + \
        book_state_columns(2)
    assert len(df) == r.messages
    assert np.array_equal(df[book_state_columns(2)].to_numpy(), r.book_states)
    adds = df[df["kind"] == 1]
    assert len(adds) > 1_000
    assert adds["symbol"].tolist() == [r.stocks[loc][0] for loc in adds["locate"].tolist()]
    table = r.to_arrow(names=True)
    assert table.num_rows == r.messages and table.column_names == list(df.columns)
    with pytest.raises(ValueError, match="keep_book_states=True"):
        replay(p).to_pandas()
