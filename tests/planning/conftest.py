"""The planning tests read messages in English, the language they are written in.

Dutch is the default for users; these tests pin English so that their assertions
read as the code does. The Dutch wording has tests of its own
(``test_messages_in_dutch.py``), and ``tests/test_i18n.py`` checks that every
message has a translation.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from allocatie.i18n import use_language


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with use_language("en"):
        yield
