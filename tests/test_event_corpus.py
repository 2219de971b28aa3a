"""The recorded corpus of event streams (tests/support/event_corpus.py): the same
seeded flows give the same events, field for field, and the same final books as
when the digests were recorded (before the Book / Venue reshape)."""
import json

import pytest

from support.event_corpus import GOLDEN, STREAMS, digest

RECORDED = json.loads(GOLDEN.read_text())


def test_every_stream_has_a_recorded_digest():
    assert set(RECORDED) == set(STREAMS)


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_stream_matches_its_recording(name):
    assert digest(name) == RECORDED[name]
