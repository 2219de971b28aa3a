"""Surveillance over trade tapes: the analyses the SEC made its Regulation NMS
cost estimates with, as library calls and one report.

    trades.py       a trades tape read into arrays (TAQ files, DataFrames, the
                    engine's own fills): times, venues, micro-dollar prices
    subpenny.py     the OEA memo's sub-penny cost estimate (seed 001)
    audit.py        the trade-through audit (REQ-AUD-02): every trade classed
                    with the engine's own Rule 611 decision; self-help
    tape_quotes.py  which quotes audit which trades (a piece: a day, a symbol)
    split.py        a tape of many symbols split by (symbol, day), each piece
                    audited, the pieces merged back in tape order
    onoff.py        Rule 611 and 610(e) on versus off: the same flow twice
    mirror.py       away venues made from a flow's own top of book, late
    report.py       the whole run, its tables (DataFrames) and the HTML file
    parallel.py     the audit split across Dask workers

Imports run one way: trades <- subpenny, audit <- tape_quotes <- split <-
report <- parallel; audit <- onoff <- report; mirror <- report.
"""
from engine.surveil.audit import AuditResult, SelfHelp, audit_trades
from engine.surveil.onoff import OnOffResult, rule611_on_off
from engine.surveil.subpenny import PRICE_BANDS, SubPennyResult, subpenny_cost
from engine.surveil.trades import EXCLUDED_CONDITIONS, Tape, read_trades, trades_from_events, trades_from_frame

__all__ = ["AuditResult", "EXCLUDED_CONDITIONS", "OnOffResult", "PRICE_BANDS", "SelfHelp", "SubPennyResult", "Tape",
           "audit_trades", "read_trades", "rule611_on_off", "subpenny_cost", "trades_from_events", "trades_from_frame"]
