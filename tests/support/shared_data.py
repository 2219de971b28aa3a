"""The real files in ../shared/data beside the checkout (read in place, never
copied into the repository), and the mark that skips a test without them."""
from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
LOB = DATA / "lobster"
AAPL_MSG = LOB / "AAPL_2012-06-21_34200000_57600000_message_10.csv"
AAPL_BOOK = LOB / "AAPL_2012-06-21_34200000_57600000_orderbook_10.csv"
AMZN_MSG = LOB / "AMZN_2012-06-21_34200000_57600000_message_1.csv"
AMZN_BOOK = LOB / "AMZN_2012-06-21_34200000_57600000_orderbook_1.csv"
ITCH = DATA / "itch" / "nasdaq_itch50_first1000.itch"
TAQ = DATA / "taq" / "quotes_2018-01-02_03.csv.gz"
needs_data = pytest.mark.skipif(not LOB.exists(), reason="the shared data folder is not beside the checkout")
