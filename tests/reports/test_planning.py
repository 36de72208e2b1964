"""Cutting a large dossier into chunks: every row exactly once, in order, by key ranges."""

from datetime import date, timedelta

import pytest

from procedures.models import Event
from reports import content
from reports.models import Dossier

pytestmark = pytest.mark.django_db


def dossier_of(case, sections):
    return Dossier(case=case, association=case.association, sections=sections, recipient="x")


def test_a_long_timeline_is_sliced_into_chunks_that_cover_every_event_once(case):
    Event.objects.bulk_create(
        Event(case=case, kind="other", occurred_on=date(2024, 1, 1) + timedelta(days=index // 3), title=f"{index}")
        for index in range(50)
    )
    dossier = dossier_of(case, ["summary", "timeline", "deadlines"])
    parts = content.plan_parts(dossier, rows_per_part=12)
    assert len(parts) >= 4
    seen = []
    for part in parts:
        for block in part["blocks"]:
            if block["section"] == "timeline":
                years = content._timeline(dossier, block)["years"]
                seen += [event.title for year in years for event in year["events"]]
    assert seen == [str(index) for index in range(50)]
    timeline_blocks = [block for part in parts for block in part["blocks"] if block["section"] == "timeline"]
    assert [block["continued"] for block in timeline_blocks] == [False] + [True] * (len(timeline_blocks) - 1)
    # An event added after planning falls inside an existing range or after the last: never twice.
    Event.objects.create(case=case, kind="other", occurred_on=date(2030, 1, 1), title="tard")
    last = content._timeline(dossier, timeline_blocks[-1])["years"]
    assert "tard" not in [event.title for year in last for event in year["events"]]


def test_small_sections_share_a_chunk_and_an_empty_timeline_still_prints(case):
    parts = content.plan_parts(
        dossier_of(case, ["cover", "summary", "parties", "timeline", "exhibits"]), rows_per_part=400
    )
    assert len(parts) == 1
    assert [block["section"] for block in parts[0]["blocks"]] == ["summary", "parties", "timeline"]
    assert parts[0]["blocks"][-1] == {"section": "timeline", "empty": True}
