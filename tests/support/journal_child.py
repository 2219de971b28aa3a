"""The process test_journal.py kills: journals an endless deterministic flow until killed."""
import sys

from engine import ProtectedBook
from engine.journal import JournaledBook
from support.journal_flow import VENUES, inputs

directory = sys.argv[1]
jb = JournaledBook(directory, ProtectedBook("J", venues=VENUES), snapshot_every=300)
print("ready", flush=True)
for kind, payload in inputs():
    getattr(jb, kind)(payload) if kind in ("execute", "update_quotes") else payload(jb)
