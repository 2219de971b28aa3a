"""A Dask task whose first run kills its worker process (as a crash or an OOM
kill would), for the tests that show a lost worker's task is rerun."""
from __future__ import annotations

import os
import sys
from typing import Any, Callable


def kill_first_run(monkeypatch: Any, module: Any, name: str, marker: str, chosen: Callable[..., bool]) -> None:
    """Replace ``module.name`` (a task function) so that its first run with
    arguments ``chosen`` accepts exits the worker process; ``marker`` (a file)
    records that it did."""
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import the tests' support
    original = getattr(module, name)

    def task(*args: Any, **kw: Any) -> Any:
        if chosen(*args) and not os.path.exists(marker):
            open(marker, "w").close()
            os._exit(1)
        return original(*args, **kw)

    monkeypatch.setattr(module, name, task)
