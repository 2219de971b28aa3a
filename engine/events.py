"""Reading event arrays: one line per event, and counts by type and reason."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from engine.enums import ComplianceCode, EventFlag, EventType, Liquidity, Reason, Side
from engine.prices import format_price


def _enum_name(enum, value: int) -> str:
    try:
        return enum(value).name
    except ValueError:
        return str(value)


def _venues(mask: int, names: Sequence[str]) -> str:
    return ",".join(names[v] if v < len(names) else str(v) for v in range(32) if mask >> v & 1) or "-"


def describe_event(e: np.void, venues: Sequence[str] = ()) -> str:
    """One event record as a line of text (``venues`` names the venue bits)."""
    kind = EventType(int(e["type"]))
    code = int(e["compliance_code"])
    code_text = f" [{_enum_name(ComplianceCode, code)}]" if code else ""
    side = _enum_name(Side, int(e["side"])) if e["side"] else "-"
    head = f"#{int(e['seq'])} t={int(e['ts'])} {kind.name:<9} order={int(e['order_id'])} {side}"
    price = format_price(int(e["price"])) if e["price"] else "-"
    if kind == EventType.FILL:
        fee = f" fee={int(e['fee'])}n$" if e["fee"] or e["aux"] else ""
        return (f"{head} x order={int(e['contra_id'])} {int(e['quantity'])} @ {price}"
                f" leaves={int(e['leaves'])}/{int(e['contra_leaves'])}"
                f" {_enum_name(Liquidity, int(e['liquidity']))}{code_text}{fee}")
    if kind == EventType.ROUTE:
        return (f"{head} ISO {int(e['quantity'])} @ {price} -> {_venues(int(e['venues']), venues)}"
                f" (quote size {int(e['aux'])}) leaves={int(e['leaves'])}: {_enum_name(Reason, int(e['reason']))}")
    if kind == EventType.BLOCKED:
        return (f"{head} {int(e['quantity'])} @ {price} would trade through"
                f" {_venues(int(e['venues']), venues)}{code_text}")
    if kind == EventType.TRADE_THROUGH:
        quote_side = "bid" if int(e["side"]) == Side.BUY else "offer"
        return (f"#{int(e['seq'])} t={int(e['ts'])} {kind.name} order={int(e['order_id'])}"
                f" print @ {price} trades through {_venues(int(e['venues']), venues)}"
                f" {quote_side} {format_price(int(e['aux']))}{code_text}")
    if kind == EventType.SESSION:
        return f"#{int(e['seq'])} t={int(e['ts'])} SESSION {_enum_name(Reason, int(e['reason']))}"
    if kind == EventType.ACCEPTED:
        return f"{head} {int(e['quantity'])} @ {price}"
    if kind == EventType.REJECTED:
        return f"{head} {int(e['quantity'])} @ {price}: {_enum_name(Reason, int(e['reason']))}"
    if kind == EventType.REPLACED:
        kept = " priority kept" if int(e["flags"]) & EventFlag.PRIORITY_KEPT else ""
        return f"{head} -> order={int(e['contra_id'])} {int(e['quantity'])} @ {price}{kept}"
    if kind == EventType.REPRICED:
        shown = f", shown @ {format_price(int(e['aux']))}" if e["aux"] and e["aux"] != e["price"] else ""
        return f"{head} now ranked @ {price}{shown}: {_enum_name(Reason, int(e['reason']))}"
    if kind == EventType.REFRESHED:
        return f"{head} shows {int(e['quantity'])} @ {price} leaves={int(e['leaves'])}"
    return (f"{head} {int(e['quantity'])} @ {price} leaves={int(e['leaves'])}:"
            f" {_enum_name(Reason, int(e['reason']))}")


def format_events(events: np.ndarray, limit: int | None = None, venues: Sequence[str] = ()) -> str:
    """Events as text, one per line (the first ``limit`` if given)."""
    rows = events if limit is None else events[:limit]
    lines = [describe_event(e, venues) for e in rows]
    if limit is not None and len(events) > limit:
        lines.append(f"... and {len(events) - limit} more")
    return "\n".join(lines)


def event_counts(events: np.ndarray) -> dict[str, int]:
    """How many events of each type (by name), plus ``REJECTED:<reason>`` and
    ``CANCELLED:<reason>`` breakdowns."""
    counts: Counter[str] = Counter()
    types, n = np.unique(events["type"], return_counts=True)
    for t, k in zip(types.tolist(), n.tolist(), strict=True):
        counts[_enum_name(EventType, t)] = k
    for kind in (EventType.REJECTED, EventType.CANCELLED):
        sel = events["reason"][events["type"] == kind]
        reasons, n = np.unique(sel, return_counts=True)
        for r, k in zip(reasons.tolist(), n.tolist(), strict=True):
            counts[f"{kind.name}:{_enum_name(Reason, r)}"] = k
    return dict(counts)


__all__ = ["describe_event", "event_counts", "format_events"]
