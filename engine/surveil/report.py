"""The surveillance report: the audit, the sub-penny estimate and (when asked)
Rule 611 on versus off, as DataFrames and as one self-contained HTML file
with plots (matplotlib, rendered to PNG and embedded, so the file can be
mailed or archived on its own).

The same tables feed the plots and come back from :meth:`SurveilReport.frames`,
so what a reader sees in the file is what a script gets from Python.
Needs pandas, and matplotlib for the HTML (``pip install .[report]``).
"""
from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable, Optional

import numpy as np

from engine.replay.files import file_format, lobster_levels
from engine.surveil.audit import CLASSES, CLOSE_NS, OPEN_NS, AuditResult, SelfHelp, audit_trades
from engine.surveil.mirror import DEFAULT_LAGS, flow_mirrors
from engine.surveil.onoff import OnOffResult, Regime, rematch_on_off, rule611_on_off
from engine.surveil.subpenny import SubPennyResult, subpenny_cost
from engine.surveil.split import audit_split
from engine.surveil.tape_quotes import tape_quotes
from engine.surveil.trades import MICROS_PER_DOLLAR, Tape, read_trades

INTERVAL_NS = 30 * 60 * 1_000_000_000  # the over-the-day table's buckets
#: cents a share beyond the best protected price: the amount table's bins
CENTS_BINS = [0, 1, 2, 5, 10, 25, float("inf")]
THROUGH = ("cleared", "violation")


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("the surveillance report needs pandas: pip install pandas (or pip install '.[report]')") \
            from None
    return pd


@dataclass
class SurveilReport:
    """What ``python -m engine surveil`` found, for reading or for a script."""

    tape: Tape
    subpenny: SubPennyResult
    audit: Optional[AuditResult] = None
    onoff: Optional[OnOffResult] = None
    onoff_label: str = ""  # what flow the on/off comparison ran
    notes: list[str] = field(default_factory=list)

    # ----- the tables -----------------------------------------------------------------
    def frames(self) -> dict[str, Any]:
        """Every table of the report, by name: ``classes``, ``exceptions``,
        ``by_venue``, ``over_day``, ``amount_through`` (the audit's, when there
        were quotes), ``subpenny_by_band``, ``subpenny_by_day``,
        ``subpenny_by_venue``, and ``onoff`` when it was run."""
        out = {}
        if self.audit is not None:
            t = _pandas().DataFrame(self.audit.trades)  # one frame of the audited trades for every table
            out.update(classes=self._classes(t), exceptions=self._exceptions(), by_venue=self._by_venue(t),
                       over_day=self._over_day(t), amount_through=self._amount_through(t))
        out.update(subpenny_by_band=self._subpenny("bands", "band"), subpenny_by_day=self._subpenny("days", "day"),
                   subpenny_by_venue=self._subpenny("venues", "venue"))
        if self.onoff is not None:
            out["onoff"] = self._onoff()
        return out

    def _classes(self, t: Any) -> Any:
        pd = _pandas()
        t = t.assign(dollars=t["price"] * t["size"] / MICROS_PER_DOLLAR)
        g = t.groupby("class").agg(trades=("size", "size"), shares=("size", "sum"), dollars=("dollars", "sum"),
                                   displayed_shares_through=("shares_through", "sum"))
        g = g.reindex([c for c in CLASSES if c in g.index])
        g["share_of_trades"] = g["trades"] / max(len(t), 1)
        return pd.DataFrame(g)

    def _exceptions(self) -> Any:
        """A row per exception used and one for the violations: trades,
        shares, dollars, displayed shares traded through, mean cents beyond,
        and the rate among audited trades (REQ-AUD-02)."""
        pd = _pandas()
        assert self.audit is not None
        totals = self.audit.totals()
        audited = int(np.isin(self.audit.trades["class"], ["inside", *THROUGH]).sum())
        rows = []
        for (cls, code), row in totals.items():
            if cls in THROUGH:
                rows.append({"exception": code if cls == "cleared" else "violation (nothing clears it)", **row,
                             "rate": row["trades"] / audited if audited else 0.0})
        frame = pd.DataFrame(rows, columns=["exception", "trades", "shares", "dollars", "shares_through",
                                            "mean_cents_through", "rate"])
        return frame.sort_values("trades", ascending=False, kind="stable").set_index("exception")

    def _by_venue(self, t: Any) -> Any:
        table = t.pivot_table(index="venue", columns="class", values="size", aggfunc="size", fill_value=0)
        table = table[[c for c in CLASSES if c in table.columns]]
        table.columns.name = None
        table["trades"] = table.sum(axis=1)
        through = t[t["class"].isin(THROUGH)].groupby("venue")["shares_through"].sum()
        table["displayed_shares_through"] = through.reindex(table.index, fill_value=0)
        return table.sort_values("trades", ascending=False, kind="stable")

    def _over_day(self, t: Any) -> Any:
        """Per day and half hour of regular hours: trades, trade-throughs
        cleared and not, and the displayed shares they traded through."""
        pd = _pandas()
        t = t[(t["ts"] >= OPEN_NS) & (t["ts"] < CLOSE_NS)]
        start = OPEN_NS + (t["ts"] - OPEN_NS) // INTERVAL_NS * INTERVAL_NS
        t = t.assign(interval=[f"{s // 3_600_000_000_000:02d}:{s // 60_000_000_000 % 60:02d}" for s in start],
                     cleared=t["class"] == "cleared", violation=t["class"] == "violation",
                     cleared_shares_through=np.where(t["class"] == "cleared", t["shares_through"], 0),
                     violation_shares_through=np.where(t["class"] == "violation", t["shares_through"], 0))
        g = t.groupby(["day", "interval"]).agg(
            trades=("size", "size"), cleared=("cleared", "sum"), violations=("violation", "sum"),
            cleared_shares_through=("cleared_shares_through", "sum"),
            violation_shares_through=("violation_shares_through", "sum"))
        return pd.DataFrame(g).astype("int64")

    def _amount_through(self, t: Any) -> Any:
        """Trade-throughs by cents a share beyond the best protected price."""
        pd = _pandas()
        t = t[t["class"].isin(THROUGH)]
        labels = [f"{lo:g}-{hi:g}" if hi != float("inf") else f"{lo:g}+" for lo, hi in zip(CENTS_BINS, CENTS_BINS[1:])]
        t = t.assign(cents=pd.cut(t["cents_through"], CENTS_BINS, right=False, labels=labels))
        table = t.pivot_table(index="cents", columns="class", values="size", aggfunc="size", fill_value=0,
                              observed=False)
        table = table.reindex(columns=list(THROUGH), fill_value=0).reindex(labels, fill_value=0)
        table.columns.name = None
        table.index.name = "cents a share beyond"
        return table.astype("int64")

    def _subpenny(self, what: str, index: str) -> Any:
        pd = _pandas()
        rows = getattr(self.subpenny, what)
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=["trades", "shares", "subpenny_trades",
                                                                      "subpenny_shares", "trade_share",
                                                                      "volume_share", "cost"])
        frame.index.name = index
        return frame

    def _onoff(self) -> Any:
        pd = _pandas()
        assert self.onoff is not None
        names = [f.name for f in fields(Regime)] + ["taker_buy_price", "taker_sell_price"]
        on = [getattr(self.onoff.on, n) for n in names]
        off = [getattr(self.onoff.off, n) for n in names]
        frame = pd.DataFrame({"on": on, "off": off}, index=pd.Index(names, name="measure"))
        frame["off_minus_on"] = frame["off"] - frame["on"]
        return frame

    # ----- text ------------------------------------------------------------------------
    def headline(self) -> list[str]:
        """The few figures a reader needs first."""
        lines = [f"{len(self.tape):,} trades of {', '.join(self.tape.symbols[:5]) or 'the tape'} on "
                 f"{', '.join(self.tape.days)}"]
        if self.audit is not None:
            t = self.audit.trades
            n = max(len(t["class"]), 1)
            counts = {c: int((t["class"] == c).sum()) for c in CLASSES}
            bad = t["class"] == "violation"
            lines.append(f"trade-throughs cleared by an exception: {counts['cleared']:,} "
                         f"({100 * counts['cleared'] / n:.2f}%); with nothing to clear them: {counts['violation']:,}"
                         f" ({100 * counts['violation'] / n:.2f}%), {int(t['shares_through'][bad].sum()):,}"
                         f" displayed shares traded through"
                         + (f", {float(t['cents_through'][bad].mean()):.2f} cents a share beyond" if bad.any() else ""))
        s = self.subpenny
        lines.append(f"sub-penny prints: {100 * s.trade_share:.2f}% of regular-way trades, "
                     f"{100 * s.volume_share:.2f}% of volume; near-side penny cost ${s.daily_cost:,.2f} a day, "
                     f"${s.annual_cost:,.0f} a year")
        if self.onoff is not None:
            d = self.onoff.differences()
            lines.append(f"Rule 611 off ({self.onoff_label}): {d['fills']:+,} fills, {d['through_fills']:+,} "
                         f"unexcused trade-throughs, {d['displayed_shares_through']:+,} displayed shares traded "
                         f"through, {-d['routed_shares']:+,} shares routed away")
        return lines

    def summary(self) -> str:
        parts = []
        if self.audit is not None:
            parts.append(self.audit.summary())
        parts.append(self.subpenny.summary())
        if self.onoff is not None:
            parts.append(f"on/off flow: {self.onoff_label}\n" + self.onoff.summary())
        parts += [f"note: {n}" for n in self.notes]
        return "\n".join(parts)

    # ----- HTML ------------------------------------------------------------------------
    def write_html(self, path: str | Path) -> Path:
        """Write the report as one HTML file (plots embedded as PNG)."""
        plt = _pyplot()
        frames = self.frames()
        title = f"Surveillance report: {', '.join(self.tape.symbols[:3]) or Path(self.tape.path).name}, " \
                f"{', '.join(self.tape.days)}"
        body = [f"<h1>{html.escape(title)}</h1>",
                "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in self.headline()) + "</ul>"]
        if self.audit is not None:
            body += [_section("Trade-through audit (Rule 611(a)(2), REQ-AUD-02)",
                              "Each trade checked with the engine's own Rule 611 decision against the protected "
                              "quotes of its moment (times from DT_NY; a quote in the same instant as a trade is "
                              "applied after it)."),
                     _table(frames["classes"], "Trades by class"),
                     _figure(plt, _plot_over_day, frames["over_day"]),
                     _table(frames["over_day"], "Over the day (half hours of regular hours)"),
                     _figure(plt, _plot_exceptions, frames["exceptions"]),
                     _table(frames["exceptions"], "Exceptions used, and the violations (rate: of audited trades)"),
                     _figure(plt, _plot_amount, frames["amount_through"]),
                     _table(frames["amount_through"], "Trade-throughs by the amount traded through"),
                     _table(frames["by_venue"], "By reporting venue")]
            body += [f"<p class=note>{html.escape(n)}</p>" for n in self.audit.notes]
        body += [_section("Sub-penny trading (the OEA memo's method, seed 001)",
                          "Regular-way trades at or above $1.00; the cost of pricing each sub-penny print at the "
                          "near-side penny, annualised over 252 trading days."),
                 _figure(plt, _plot_subpenny, frames["subpenny_by_band"]),
                 _table(frames["subpenny_by_band"], "By price band"),
                 _table(frames["subpenny_by_day"], "By day"),
                 _table(frames["subpenny_by_venue"], "By reporting venue")]
        if self.subpenny.excluded:
            body.append("<p class=note>Left out: " + html.escape(", ".join(
                f"{k} {v:,}" for k, v in sorted(self.subpenny.excluded.items()))) + "</p>")
        if self.onoff is not None:
            body += [_section("Rule 611 and 610(e) on versus off",
                              f"The same flow and quotes through the engine with the trade-through check and "
                              f"lock/cross handling on, then off: {self.onoff_label}."),
                     _figure(plt, _plot_onoff, frames["onoff"]),
                     _table(frames["onoff"], "On versus off")]
            body += [f"<p class=note>{html.escape(n)}</p>" for n in self.onoff.notes]
        body += [f"<p class=note>{html.escape(n)}</p>" for n in self.notes]
        page = (f"<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title>"
                f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>")
        out = Path(path)
        out.write_text(page, encoding="utf-8")
        return out


GENERATED = "generated"  # the on/off flow made by engine.flow.generate_mixed
GENERATED_SIZE = 200_000  # its operations, unless told


def surveil(trades: str | Path, quotes: str | Path | None = None, *, date: Optional[str] = None,
            symbol: Optional[str] = None, self_help: Iterable[SelfHelp] = (), onoff: str | Path | None = None,
            onoff_quotes: str | Path | None = None, mirror_lags: Optional[dict[str, int]] = None,
            onoff_symbol: Optional[str] = None, generated_size: int = GENERATED_SIZE) -> SurveilReport:
    """The whole surveillance run the ``surveil`` command makes: the tape
    (``date``, ``symbol`` to narrow it), the trade-through audit when
    ``quotes`` are given (with ``self_help`` declarations), the sub-penny
    estimate, and Rule 611 on versus off when ``onoff`` names a flow: a
    LOBSTER or ITCH file (against ``onoff_quotes``, or else mirror venues of
    the flow's own book lagged by ``mirror_lags``), or ``"generated"``
    (``generated_size`` operations of generated multi-venue flow)."""
    tape = read_trades(trades, date=date, symbol=symbol)
    report = SurveilReport(tape, subpenny_cost(tape))
    if quotes is not None and len(tape.symbols) > 1:  # each file read once, split by (symbol, day)
        report.audit = audit_split(trades, quotes, date=date, symbol=symbol, self_help=self_help)
    elif quotes is not None:
        keyed, notes = tape_quotes(tape, quotes)
        report.audit = audit_trades(tape, keyed, self_help)
        report.audit.notes += notes
    if onoff is not None:
        report.onoff, report.onoff_label = run_on_off(onoff, onoff_quotes, mirror_lags, onoff_symbol, generated_size)
    return report


def run_on_off(flow: str | Path, quotes: str | Path | None, lags: Optional[dict[str, int]], symbol: Optional[str],
               generated_size: int = GENERATED_SIZE) -> tuple[OnOffResult, str]:
    if str(flow) == GENERATED:
        from engine.flow import generate_mixed

        commands, away, schedule = generate_mixed(generated_size, seed=11, venues=4)
        return (rule611_on_off(commands, away, schedule, [f"V{i}" for i in range(4)]),
                f"{generated_size:,} operations of generated flow (engine.flow.generate_mixed, seed 11) with "
                f"quotes from 4 away venues")
    label = f"{Path(flow).name} re-matched (each historical execution an incoming IOC)"
    if quotes is not None:
        return rematch_on_off(flow, quotes, symbol=symbol), f"{label} against the quotes of {Path(quotes).name}"
    lags = dict(DEFAULT_LAGS if lags is None else lags)
    result = rematch_on_off(flow, flow_mirrors(flow, lags, symbol=symbol), symbol=symbol)
    spans = ", ".join(f"{name} {lag / 1e6:g} ms" for name, lag in lags.items())
    label += f" against mirror venues showing the flow's own top of book late ({spans}; a model, not data)"
    levels = lobster_levels(flow) if file_format(flow) == "lobster" else None
    if levels is not None and levels < 10:
        result.notes.append(f"a level-{levels} LOBSTER file holds only events within the top {levels} level(s): "
                            f"orders that leave them get no message, so the engine's book keeps orders history "
                            f"removed, and fills against them count as trade-throughs of the mirrors (compare a run "
                            f"with --mirror-lags 0)")
    return result, label


_CSS = ("body{font-family:sans-serif;max-width:70em;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:2px 8px;"
        "text-align:right}caption{text-align:left;font-weight:bold;padding:4px 0}.note{color:#555}"
        "img{max-width:100%}")


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ImportError("the HTML report needs matplotlib: pip install matplotlib (or pip install '.[report]')") \
            from None
    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    return plt


def _section(title: str, text: str) -> str:
    return f"<h2>{html.escape(title)}</h2><p>{html.escape(text)}</p>"


def _table(frame: Any, caption: str) -> str:
    text = frame.to_html(float_format=lambda v: f"{v:,.4f}" if abs(v) < 1 else f"{v:,.2f}", border=0)
    return text.replace(">", f"><caption>{html.escape(caption)}</caption>", 1)  # right after <table ...>


def _figure(plt: Any, draw: Any, frame: Any) -> str:
    if frame.empty:
        return ""
    fig, ax = plt.subplots(figsize=(9, 3.6))
    try:
        draw(ax, frame)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
    finally:
        plt.close(fig)
    return f"<p><img alt='' src='data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}'></p>"


def _plot_over_day(ax: Any, frame: Any) -> None:
    for day, rows in frame.groupby(level="day"):
        x = rows.index.get_level_values("interval")
        ax.plot(x, rows["violations"], marker="o", label=f"{day} violations")
        ax.plot(x, rows["cleared"], marker=".", linestyle="--", label=f"{day} cleared")
    ax.set_title("Trade-throughs over the day")
    ax.set_ylabel("trades")
    ax.tick_params(axis="x", labelrotation=45)
    ax.legend(fontsize="small")


def _plot_exceptions(ax: Any, frame: Any) -> None:
    ax.barh(frame.index[::-1], frame["trades"][::-1])
    ax.set_title("Trade-throughs: the exception that cleared each, or none")
    ax.set_xlabel("trades")


def _plot_amount(ax: Any, frame: Any) -> None:
    x = np.arange(len(frame))
    ax.bar(x - 0.2, frame["cleared"], width=0.4, label="cleared")
    ax.bar(x + 0.2, frame["violation"], width=0.4, label="violation")
    ax.set_xticks(x, frame.index)
    ax.set_title("Amount traded through")
    ax.set_xlabel("cents a share beyond the best protected price")
    ax.set_ylabel("trades")
    ax.legend(fontsize="small")


def _plot_subpenny(ax: Any, frame: Any) -> None:
    x = np.arange(len(frame))
    ax.bar(x - 0.2, 100 * frame["trade_share"], width=0.4, label="of trades")
    ax.bar(x + 0.2, 100 * frame["volume_share"], width=0.4, label="of volume")
    ax.set_xticks(x, frame.index)
    ax.set_xlim(-0.8, max(len(frame), 4) - 0.2)  # one band stays a bar, not a wall
    ax.set_title("Sub-penny prints by price band")
    ax.set_ylabel("%")
    ax.legend(fontsize="small")


def _plot_onoff(ax: Any, frame: Any) -> None:
    shown = ["fills", "blocked", "cancelled_for_trade_through", "repriced", "refused_lock_cross", "through_fills"]
    rows = frame.loc[shown]
    x = np.arange(len(rows))
    ax.bar(x - 0.2, rows["on"], width=0.4, label="rule on")
    ax.bar(x + 0.2, rows["off"], width=0.4, label="rule off")
    ax.set_xticks(x, [s.replace("_", " ") for s in shown], rotation=20, fontsize="small")
    ax.set_yscale("symlog")
    ax.set_title("Rule 611 and 610(e) on versus off")
    ax.legend(fontsize="small")


__all__ = ["CENTS_BINS", "GENERATED", "GENERATED_SIZE", "SurveilReport", "run_on_off", "surveil"]
