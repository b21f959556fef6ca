"""Where the tests find the repository's files, wherever a test module lives."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
REFERENCE = ROOT / "tests" / "reference"
EXAMPLES = ROOT / "allocatie" / "examples"
EXAMPLE = EXAMPLES / "enschede-2019h2"
