"""The solvers see only the contract: ProblemData (and SolverSettings), never the builder layer.

A solver that imported the scores or the eligibility rules could start applying a rule
of its own; keeping them apart means the arrays are the whole question, so the solvers
(and the brute-force check) can only disagree about the answer.
"""

from __future__ import annotations

import subprocess
import sys

BUILDER_LAYER = ("allocatie.model.builder", "allocatie.model.eligibility", "allocatie.model.scores")


def test_importing_the_solvers_loads_no_builder_module():
    code = (
        "import sys\n"
        "import allocatie.solve, allocatie.solve.brute, allocatie.solve.distributed\n"
        f"print([m for m in {BUILDER_LAYER!r} if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
