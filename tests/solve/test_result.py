"""Status words and method counts: structured inside, the same plain words outside."""

from __future__ import annotations

import json
import pickle

import pytest

from allocatie.solve import Method, Methods, Status


def test_status_is_its_word():
    assert Status.OPTIMAL == "OPTIMAL" and f"{Status.FEASIBLE}" == "FEASIBLE"
    assert json.dumps({"solve_status": Status.INFEASIBLE}) == '{"solve_status": "INFEASIBLE"}'
    worst_first = sorted(Status, key=lambda s: s.severity, reverse=True)
    assert worst_first == [Status.INFEASIBLE, Status.UNKNOWN, Status.FEASIBLE, Status.OPTIMAL]


def test_methods_count_parts_in_a_fixed_order():
    parts = [Methods.one(Method.CPSAT_BOUNDED), Methods.one(Method.FLOW), Methods.one(Method.FLOW)]
    total = Methods.total(parts)
    assert total == {"flow": 2, "cpsat-bounded": 1}  # a read-only mapping, keys equal to words
    assert total["flow"] == 2 and total.get(Method.CPSAT, 0) == 0 and "brute" not in total
    assert list(total) == [Method.FLOW, Method.CPSAT_BOUNDED]  # Method order, not arrival
    assert total.as_dict() == {"flow": 2, "cpsat-bounded": 1}
    assert json.dumps(total.as_dict()) == '{"flow": 2, "cpsat-bounded": 1}'
    assert str(total) == "flow ×2 + cpsat-bounded ×1"
    assert str(Methods.total(reversed(parts))) == str(total)  # deterministic rendering
    assert str(Methods()) == "none" and len(Methods()) == 0


def test_methods_travel_between_processes_and_refuse_unknown_words():
    total = Methods(((Method.FLOW, 3), (Method.CPSAT, 1)))
    assert pickle.loads(pickle.dumps(total)) == total  # Dask workers send results back
    with pytest.raises(KeyError):
        total["simplex"]
    with pytest.raises(ValueError):
        Methods((("simplex", 1),))
