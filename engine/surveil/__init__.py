"""Surveillance over trade tapes: the analyses the SEC made its Regulation NMS
cost estimates with, as library calls.

    trades.py    a TAQ trades tape read into arrays (times, venues, prices in
                 micro-dollars, sizes, sale conditions)
    subpenny.py  the OEA memo's sub-penny cost estimate (seed 001)

Imports run one way: trades <- subpenny.
"""
from engine.surveil.subpenny import PRICE_BANDS, SubPennyResult, subpenny_cost
from engine.surveil.trades import EXCLUDED_CONDITIONS, Tape, read_trades

__all__ = ["EXCLUDED_CONDITIONS", "PRICE_BANDS", "SubPennyResult", "Tape", "read_trades", "subpenny_cost"]
