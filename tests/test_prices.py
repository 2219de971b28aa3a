"""Prices and the Rule 612 grid (REQ-PX-01, REQ-TICK-01..04, D2, D9)."""
from decimal import Decimal

import pytest

from engine import (
    Book,
    Reason,
    Side,
    TickRegime,
    ceil_valid,
    floor_valid,
    format_price,
    is_valid_price,
    next_valid,
    prev_valid,
    price_at_index,
    tick_index,
    tick_size,
    to_decimal,
    to_units,
)
from support.observe import take

PENNY, HALF = TickRegime.PENNY_2005, TickRegime.HALF_PENNY_2024


@pytest.mark.parametrize(
    "text, units",
    [("10.05", 100500), ("0.9999", 9999), ("1.00", 10000), ("1", 10000), ("$25.24", 252400),
     (".5", 5000), ("0.0001", 1), ("-0.01", -100), ("  7.5 ", 75000), ("10.005", 100050)],
)
def test_req_px_01_text_to_units(text, units):
    assert to_units(text) == units


def test_req_px_01_decimal_to_units():
    assert to_units(Decimal("10.05")) == 100500
    assert to_units(Decimal("0.9999")) == 9999
    assert to_units(Decimal("1")) == 10000


@pytest.mark.parametrize("bad", ["0.99995", "$0.99995", "1.00000", Decimal("0.99995"), Decimal("1.00000")])
def test_req_px_01_five_decimals_raise(bad):
    with pytest.raises(ValueError, match="decimal places"):
        to_units(bad)


@pytest.mark.parametrize("bad", ["", "abc", "1.2.3", "$", "1e3", Decimal("NaN")])
def test_not_a_price_raises_value_error(bad):
    with pytest.raises(ValueError):
        to_units(bad)


@pytest.mark.parametrize("bad", [10.05, 1.0, 10, True, None, b"10.05"])
def test_floats_and_other_types_are_type_errors(bad):
    with pytest.raises(TypeError, match="value must be a str or Decimal"):
        to_units(bad)


@pytest.mark.parametrize(
    "units, text", [(100500, "10.05"), (9999, "0.9999"), (10000, "1.00"), (100050, "10.005"), (1, "0.0001"),
                    (0, "0.00"), (-100, "-0.01"), (2524800, "252.48")],
)
def test_units_back_to_text(units, text):
    assert format_price(units) == text
    assert to_decimal(units) == Decimal(text)
    assert to_units(text) == units


def test_to_decimal_refuses_floats():
    with pytest.raises(TypeError, match="units must be an int"):
        to_decimal(1.5)


@pytest.mark.parametrize(
    "price, penny, half",
    [(252400, True, True), (252480, False, False), (252450, False, True),  # REQ-TICK-01
     (9999, True, True), (1, True, True),  # REQ-TICK-02
     (10000, True, True), (10001, False, False), (10050, False, True),  # REQ-TICK-03
     (0, False, False), (-100, False, False), (100_000_000_000, True, True), (100_000_000_100, False, False)],
)
def test_req_tick_01_to_03_grid(price, penny, half):
    assert is_valid_price(price) is penny
    assert is_valid_price(price, PENNY) is penny
    assert is_valid_price(price, HALF) is half


def test_req_lc_02_grid_helpers_and_d9_boundary():
    assert prev_valid(10000) == 9999  # D9
    assert next_valid(9999) == 10000
    assert next_valid(10000) == 10100
    assert prev_valid(100500) == 100400
    assert next_valid(100500) == 100600
    assert prev_valid(5001) == 5000
    assert next_valid(10000, HALF) == 10050
    assert prev_valid(100050, HALF) == 100000
    assert prev_valid(1) == 0  # nothing below the lowest price
    # off-grid inputs go to the neighbouring grid prices
    assert next_valid(10050) == 10100
    assert prev_valid(10050) == 10000


def test_req_tick_03_04_rounding_toward_less_aggressive():
    assert floor_valid(10001) == 10000  # a peg at NBB + 1u with NBB = $1.00 rounds down to $1.00
    assert ceil_valid(10001) == 10100
    assert floor_valid(9999) == 9999
    assert floor_valid(252480) == 252400
    assert ceil_valid(252450, HALF) == 252450


def test_tick_size_either_side_of_a_dollar():
    assert tick_size(9999) == 1
    assert tick_size(10000) == 100
    assert tick_size(10000, HALF) == 50


def test_tick_index_is_consecutive_across_a_dollar():
    assert tick_index(9999) == 9999
    assert tick_index(10000) == 10000
    assert tick_index(10100) == 10001
    assert tick_index(10050, HALF) == 10001
    for regime in (PENNY, HALF):
        grid = [p for p in range(9990, 10600) if is_valid_price(p, regime)]
        idx = [tick_index(p, regime) for p in grid]
        assert idx == list(range(idx[0], idx[0] + len(idx)))
        assert [price_at_index(i, regime) for i in idx] == grid


def test_grid_helpers_reject_bad_arguments():
    with pytest.raises(TypeError, match="price must be an int, not float"):
        next_valid(1.5)
    with pytest.raises(ValueError, match="tick_regime"):
        is_valid_price(100, 7)


def test_req_tick_01_book_rejects_off_grid_prices_never_rounds(book):
    book.submit(1, Side.BUY, 252480, 100)  # $25.248
    book.submit(2, Side.BUY, 10001, 100)  # $1.0001
    book.submit(3, Side.BUY, 10000, 100)  # $1.00
    book.submit(4, Side.BUY, 9999, 100)  # $0.9999
    evs = take(book)
    assert [(e.order_id, e.reason) for e in evs] == [
        (1, Reason.PRICE_NOT_ON_TICK), (2, Reason.PRICE_NOT_ON_TICK), (3, 0), (4, 0)]
    assert [o["price"] for o in book.orders()] == [10000, 9999]


def test_req_tick_01_half_penny_symbol(half_penny_book):
    half_penny_book.submit(1, Side.SELL, 252450, 100)  # $25.245
    half_penny_book.submit(2, Side.SELL, 252480, 100)
    evs = take(half_penny_book)
    assert [(e.order_id, e.reason) for e in evs] == [(1, 0), (2, Reason.PRICE_NOT_ON_TICK)]
    assert half_penny_book.tick_regime == HALF
    assert Book("X").tick_regime == PENNY
