"""Child processes that import the test support package: the environment that
lets ``import support`` work in them as it does in pytest (pyproject's
``pythonpath``)."""
from __future__ import annotations

import os
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in [str(TESTS), os.environ.get("PYTHONPATH")] if p)}
