import pytest

from engine import Book, TickRegime


@pytest.fixture
def book() -> Book:
    return Book("TEST")


@pytest.fixture(params=[100500, 5000], ids=["above_1_dollar", "below_1_dollar"])
def px(request) -> dict:
    """A base price and its tick, on either side of $1.00, for tests that should hold on both."""
    base = request.param
    tick = 100 if base >= 10000 else 1
    return {"base": base, "tick": tick}


@pytest.fixture
def half_penny_book() -> Book:
    return Book("HALF", tick_regime=TickRegime.HALF_PENNY_2024)
