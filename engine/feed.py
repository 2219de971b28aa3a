"""What book building from a venue's feed reports: the meaning of each
anomaly ``BookBuilder.stats`` counts (the feed records themselves are
``FEED_DTYPE``, their kinds ``FeedKind``)."""
from __future__ import annotations

# Each anomaly the book building counts (BookBuilder.stats), and what it means.
ANOMALIES: dict[str, str] = {
    "unknown_orders": "cancels, deletes, executions or replaces of orders not in the book (resting before the file "
                      "starts, or changed outside a LOBSTER file's level window): counted; unless an orderbook "
                      "file says otherwise, other orders are left alone",
    "duplicate_adds": "adds of an id already in the book: ignored",
    "over_executions": "executions or cancels of more shares than their order had",
    "zero_ids": "adds (or replacements) with order id 0: ignored",
    "bad_sides": "adds with no buy or sell side: ignored",
    "bad_prices": "adds priced at or below zero or above MAX_PRICE: ignored",
    "bad_sizes": "adds of no shares or more than MAX_QUANTITY (sizes in satoshis, say): ignored",
    "crossed_states": "messages after which the book was crossed or locked",
}


__all__ = ["ANOMALIES"]
