"""Memory (issue 11): bytes a book holds per resting order, its share of the id
index included, with and without Book.reserve, and the bytes of an empty book
(8,000 books make a full ITCH day). Reported in extra_info; the timing is of
building the book. Target: 64 bytes an order, a few kilobytes an empty book.

    python -m pytest benchmarks/test_bench_memory.py --benchmark-json=out.json
"""
from __future__ import annotations

import pytest

from engine import Book, ProtectedBook
from engine.flow import resting_orders


@pytest.mark.parametrize("reserved", [False, True], ids=["grown", "reserved"])
@pytest.mark.parametrize("orders", [10_000, 100_000, 1_000_000])
@pytest.mark.benchmark(group="memory: bytes per resting order")
def test_bytes_per_resting_order(benchmark, orders, reserved):
    flow = resting_orders(orders, seed=1)

    def build():
        book = Book("MEM")
        if reserved:
            book.reserve(orders)
        book.execute(flow)
        book.clear_events()
        return book

    book = benchmark.pedantic(build, rounds=3 if orders < 1_000_000 else 1, iterations=1)
    assert len(book) == orders
    benchmark.extra_info.update(orders=orders, bytes=book.memory_bytes,
                                bytes_per_order=round(book.memory_bytes / orders, 1))


@pytest.mark.benchmark(group="memory: an empty book")
def test_empty_books(benchmark):
    books = benchmark.pedantic(lambda: (Book("E"), ProtectedBook("E", venues=["A", "B", "C", "D"])),
                               rounds=20, iterations=1)
    benchmark.extra_info.update(book_bytes=books[0].memory_bytes, protected_book_bytes=books[1].memory_bytes)
