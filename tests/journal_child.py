"""The process test_journal.py kills: journals a deterministic flow until killed."""
import sys

from engine import ProtectedBook
from engine.journal import JournaledBook
from journal_flow import VENUES, inputs

directory = sys.argv[1]
stream = list(inputs())  # generated before "ready": the kill must land while journaling
jb = JournaledBook(directory, ProtectedBook("J", venues=VENUES), snapshot_every=300)
print("ready", len(stream), flush=True)
for kind, payload in stream:
    getattr(jb, kind)(payload) if kind in ("execute", "update_quotes") else payload(jb)
jb.close()
print("done", flush=True)
