"""Surveillance over trade tapes: the analyses the SEC made its Regulation NMS
cost estimates with, as library calls.

    trades.py    a TAQ trades tape read into arrays (times, venues, prices in
                 micro-dollars, sizes, sale conditions)
    subpenny.py  the OEA memo's sub-penny cost estimate (seed 001)
    audit.py     the trade-through audit (REQ-AUD-02): every trade classed with
                 the engine's own Rule 611 decision
    onoff.py     Rule 611 and 610(e) on versus off: the same flow twice

Imports run one way: trades <- subpenny, audit; onoff stands alone.
"""
from engine.surveil.audit import AuditResult, SelfHelp, audit_trades
from engine.surveil.onoff import OnOffResult, rule611_on_off
from engine.surveil.subpenny import PRICE_BANDS, SubPennyResult, subpenny_cost
from engine.surveil.trades import EXCLUDED_CONDITIONS, Tape, read_trades, trades_from_events, trades_from_frame

__all__ = ["AuditResult", "EXCLUDED_CONDITIONS", "OnOffResult", "PRICE_BANDS", "SelfHelp", "SubPennyResult", "Tape",
           "audit_trades", "read_trades", "rule611_on_off", "subpenny_cost", "trades_from_events", "trades_from_frame"]
