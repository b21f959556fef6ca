"""Location quotients and headroom on hand-computed values."""

from __future__ import annotations

import numpy as np

from allocatie.segregation import headroom_persons, location_quotient


def test_location_quotient_against_hand_computation():
    # Enschede 2022: 29,389 of 160,640 non-western; an area 300 of 1,000
    lq = location_quotient([300, 0], [1000, 0], 29389, 160640)
    assert np.isclose(lq[0], 0.3 / (29389 / 160640))
    assert np.isnan(lq[1])  # no residents: nothing to compare


def test_headroom_keeps_the_area_just_below_the_threshold():
    # limit share 1.5 * 0.183 = 0.2745: (200 + x) / (1000 + x) < 0.2745 → x ≤ 102
    room = headroom_persons([200], [1000], [0.183], 1.5)
    assert room[0] == 102
    assert (200 + 102) / (1000 + 102) < 0.2745 <= (200 + 103) / (1000 + 103)


def test_headroom_is_nan_for_concentrated_and_inf_when_threshold_unreachable():
    room = headroom_persons([300, 10], [1000, 100], [0.183, 0.7], 1.5)
    assert np.isnan(room[0])  # already at LQ 1.64
    assert np.isinf(room[1])  # 1.5 * 0.7 ≥ 1: no share can reach it
