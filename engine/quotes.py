"""Kept for old imports: the quote-file reader lives in engine.replay.quotes."""
from engine.replay.quotes import FEEDS, OWN_COLUMNS, TAQ_COLUMNS, read_quote_file

__all__ = ["FEEDS", "OWN_COLUMNS", "TAQ_COLUMNS", "read_quote_file"]
