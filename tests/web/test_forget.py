"""``ledger forget`` in a ledger the app uses: the household's uploads and drafts go too."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from allocatie.ledger.forget import forget_household
from allocatie.web import meeting
from allocatie.web.files import Upload, check_and_store, current_set
from allocatie.web.tables import WebDraft, WebUpload
from tests.web.conftest import example_files


def test_forgetting_removes_the_households_upload_and_the_drafts_and_the_proposal_goes_stale(
    ledger: Any, proposal: int
) -> None:
    plan = meeting.working(ledger, proposal)
    assert isinstance(plan, meeting.Working)
    placed = plan.outcome.plan.dropna(subset=["dwelling_id"])
    first, second = (str(h) for h in placed["household_id"][:2])
    for household in (first, second):
        _, problems = meeting.decide(ledger, proposal, household, "accept", "coco")
        assert not problems, problems

    done = forget_household(ledger, first, municipality=None, user="coco")

    assert (done.uploads_deleted, done.drafts_deleted) == (1, 1)
    with ledger.transaction() as session:
        kinds = sorted(session.scalars(select(WebUpload.kind)))
        drafts = len(list(session.scalars(select(WebDraft))))
        month = current_set(session, "GM0153")
    assert kinds == ["amenities", "dwellings", "policy"] and drafts == 1
    assert month.missing == ["households"]
    assert isinstance(meeting.working(ledger, proposal), meeting.Stale)
    # the app asks for a households file again; one without the household is taken
    proposed, problems = meeting.make_proposal(ledger, "GM0153", None, "coco")
    assert proposed is None and "nog geen huishoudens geüpload" in problems[0].message
    name, content = example_files()["households"]
    without = b"\n".join(line for line in content.splitlines() if first.encode() not in line)
    problems, _files = check_and_store(
        ledger, "GM0153", [Upload("households", name, without)], user="coco"
    )
    assert not problems, problems
    proposed, problems = meeting.make_proposal(ledger, "GM0153", None, "coco")
    assert proposed is not None and not problems, problems
    again = meeting.working(ledger, proposed)
    assert isinstance(again, meeting.Working)
    assert first not in set(again.outcome.plan["household_id"].astype(str))
