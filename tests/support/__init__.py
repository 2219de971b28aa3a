"""What the tests share (importable as ``support`` through pyproject's
``pythonpath``; no test imports another test file):

    observe.py          events as comparable tuples, and a book's state
    reference_book.py   the pure-Python reference book the differential tests trust
    pair.py             the engine and the reference book side by side, checked each step
    random_commands.py  random commands, mostly valid, sometimes bad
    event_corpus.py     the recorded event streams that guard a refactor (+ .json)
    journal_flow.py     the deterministic flow a journaled child runs (journal_child.py)
    snapshot_sample.py  the book the snapshot tests save, damage and load
    child_process.py    the environment a child process needs to import this package
"""
