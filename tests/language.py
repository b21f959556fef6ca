"""Pin English for tests whose assertions read the messages as the code writes them.

Dutch is the default for users; these tests assert the English wording (the Dutch
wording has tests of its own, and ``tests/test_i18n.py`` checks that every message
has a translation). Import ``english`` into a ``conftest.py`` (or a test module)
to apply it to every test there.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from allocatie.i18n import use_language


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with use_language("en"):
        yield
