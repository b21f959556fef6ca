"""Each run records input hashes, the parsed policy, the seed and the versions."""

from __future__ import annotations

import hashlib
import json

from click.testing import CliRunner

from allocatie.cli.main import cli
from tests.paths import EXAMPLE


def test_manifest_pins_inputs_policy_seed_and_versions(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["match", "--scenario", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    for role in ("households", "dwellings", "policy", "amenities", "pins", "refusals"):
        path = EXAMPLE / f"{role}.{'toml' if role == 'policy' else 'csv'}"
        assert manifest["inputs"][role]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["policy"]["period"]["quota_persons"] == 52
    assert manifest["policy"]["spreading"]["max_per_complex"] == 2
    assert manifest["run"]["seed"] == 1 and manifest["run"]["solve_status"] == "OPTIMAL"
    assert manifest["run"]["solver_method"] == "flow ×1"  # one part, a network
    assert {"allocatie", "python", "ortools", "numpy", "pandas"} <= set(manifest["versions"])
    # hashes only: no household id leaks into the manifest
    assert "HH-2019" not in (out / "manifest.json").read_text()
