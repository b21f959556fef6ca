"""The start page shows where the achterstand came from as the ledger's plain fact."""

from __future__ import annotations

from typing import Any

from allocatie.ledger.periods import BACKLOG_NONE


def test_the_overview_names_the_backlog_source_without_a_command_line_hint(
    coordinator: Any,
) -> None:
    page = coordinator.get("/")
    assert page.status_code == 200
    assert f"<small>{BACKLOG_NONE}</small>" in page.text
    assert "--backlog" not in page.text
