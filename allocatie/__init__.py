"""allocatie: explainable matching of statushouder households to offered dwellings.

The public API, for scripts and research (imported lazily, so ``allocatie --help``
stays fast)::

    from allocatie import Inputs, run_match            # the monthly job from files
    from allocatie import build_instance               # tables → problem data
    from allocatie.solve import solve                  # problem data → plan
    from allocatie import ProblemData, Result, Policy, load_policy

(``solve`` lives in the subpackage of the same name, so it is not re-exported here:
the subpackage would shadow it as soon as it is imported.)
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.3.0"

_EXPORTS = {
    "Inputs": "allocatie.match",
    "Outcome": "allocatie.match",
    "run_match": "allocatie.match",
    "Instance": "allocatie.model.builder",
    "build_instance": "allocatie.model.builder",
    "Policy": "allocatie.inputs.policy",
    "load_policy": "allocatie.inputs.policy",
    "ProblemData": "allocatie.model.problem",
    "Result": "allocatie.solve",
    "load_areas": "allocatie.areas.data",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'allocatie' has no attribute {name!r}")
