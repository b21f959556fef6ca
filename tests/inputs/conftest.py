"""The input tests read the messages in English (see tests/language.py)."""

from tests.language import english  # noqa: F401  (an autouse fixture)
