"""The .pyi stub of engine._core lists every public name the compiled module
has, class by class, so editors and mypy see the whole API."""
import ast
from pathlib import Path

import engine._core as core

STUB = Path(core.__file__).with_name("_core.pyi") if Path(core.__file__).with_name("_core.pyi").exists() else (
    Path(__file__).resolve().parent.parent / "engine" / "_core.pyi")


def stub_names():
    tree = ast.parse(STUB.read_text())
    top, members = set(), {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            top.add(node.name)
            members[node.name] = {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AnnAssign))
                                  and not isinstance(n, ast.AnnAssign)} | {
                n.target.id for n in node.body if isinstance(n, ast.AnnAssign)}
        elif isinstance(node, ast.FunctionDef):
            top.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            top.add(node.target.id)
    return top, members


def public(names):
    return {n for n in names if not n.startswith("_") or n in ("__len__", "__contains__")}


def test_every_public_name_is_in_the_stub():
    top, members = stub_names()
    runtime = public(n for n in dir(core) if not n.startswith("__"))
    runtime -= {"np", "operator", "AwayQuote", "OrderState", "PrintCheck", "ProtectedBBO", "TopOfBook",
                "ComplianceCode", "FeeCapRegime", "Feed", "LockCrossMode", "PostOnly", "QuoteFlag", "Side", "StpMode",
                "TickRegime", "TimeInForce"}  # re-used from engine.enums and engine.views
    assert runtime <= top, runtime - top
    for cls in (core.Book, core.ProtectedBook, core.BookBuilder, core.Rematcher, core.LobsterDecoder,
                core.OrderbookDecoder, core.ItchDecoder):
        have = public(vars(cls))
        listed = members[cls.__name__] | (members["Book"] if issubclass(cls, core.Book) else set())
        assert have <= listed, (cls.__name__, have - listed)
