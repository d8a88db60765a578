"""Small-number protection: one definition for every figure about people (coverage, overdue counts,
knowledge gain, item statistics), in the dashboard, its exports, the drill-down and the API.

The method is the **cell-key method** that statistics offices use for flexible table builders, where
a user may ask for any cut of the data and subtract one answer from another (the Australian Bureau
of Statistics' TableBuilder: Thompson, Broadfoot and Elazar, "Methodology for the automatic
confidentialisation of statistical outputs from remote servers at the Australian Bureau of
Statistics", UNECE/Eurostat Work Session on Statistical Data Confidentiality, Ottawa, 2013; the
perturbation table as in Enderle, Giessing and Tent, "Designing confidentiality on the fly
methodology – three aspects", Privacy in Statistical Databases 2018, LNCS 11126):

1. Every person carries a random **record key** (`User.record_key`, uniform in 0 … 2^31 − 1, drawn
   once when the account is created and never shown).
2. A published count's **cell key** is the sum of the record keys of the people it counts, modulo
   2^31, read as a number u in [0, 1). The same people give the same key, whoever asks and however
   the question is phrased (a total, a row of a finer table, another viewer's dashboard).
3. The count is published as its true value plus a small **perturbation** looked up from u in a fixed
   table (`PTABLE`): at most ±2, zero on average, never below zero, and 0 stays 0.
4. A group whose published size is 1 to `threshold` − 1 is **withheld** as before ("fewer than 5").

Because the perturbation is a function of the set of people counted, asking twice, asking another
way or asking as another user gives the same figure; subtracting two figures gives the difference
plus the difference of two perturbations (up to ±4), so a withheld group cannot be read back exactly.
Totals are perturbed in their own right (they are cells too), so rows do not always add up to the
total: that, and up to ±2 on every count, is the accuracy a coordinator gives up (docs/coverage.md).

Means (knowledge gain) and shares (item statistics) are computed from perturbed counts, or, for a
mean score, moved by up to ±2 points by a second, independent reading of the same cell key.
Installations may raise the threshold with COVERAGE_MIN_CELL.
"""

from __future__ import annotations

import secrets
from bisect import bisect_right
from itertools import accumulate

#: A group of fewer people than this is withheld.
DEFAULT_THRESHOLD = 5
#: Record keys are drawn from [0, KEY_SPACE); cell keys are sums modulo KEY_SPACE.
KEY_SPACE = 2 ** 31
#: The largest perturbation of a count.
MAX_NOISE = 2

#: Perturbation table: for a true count v, (noise, probability) pairs. Zero mean for every v; v + noise >= 0.
#: v = 0 is never perturbed; v = 1 may be published as 0 to 3; v >= 2 as v - 2 to v + 2.
PTABLE: dict[int, tuple[tuple[int, float], ...]] = {
    0: ((0, 1.0),),
    1: ((-1, 0.25), (0, 0.55), (1, 0.15), (2, 0.05)),
    2: ((-2, 0.05), (-1, 0.20), (0, 0.50), (1, 0.20), (2, 0.05)),
}


def new_record_key() -> int:
    """A person's record key, drawn once (the default of `User.record_key`)."""
    return secrets.randbelow(KEY_SPACE)


def cell_key(key_sum: int) -> float:
    """The cell key in [0, 1) of a count whose people's record keys sum to `key_sum`."""
    return (int(key_sum) % KEY_SPACE) / KEY_SPACE


_CUMULATIVE = {v: (tuple(n for n, _p in row), tuple(accumulate(p for _n, p in row))) for v, row in PTABLE.items()}


def noise(value: int, key_sum: int) -> int:
    """The perturbation of a count of `value` people whose record keys sum to `key_sum`."""
    noises, bounds = _CUMULATIVE[min(value, 2)]
    index = bisect_right(bounds, cell_key(key_sum))
    return noises[min(index, len(noises) - 1)]


def perturb(value: int, key_sum: int) -> int:
    """The published count: the true one plus its cell's perturbation (never negative; 0 stays 0)."""
    value = int(value)
    return value + noise(value, key_sum) if value > 0 else 0


def perturb_mean(mean: float, key_sum: int, scale: float = 1.0, *, low: float | None = None,
                 high: float | None = None) -> float:
    """A mean moved by up to ±2 × scale, read from the cell key turned by a fixed offset (a second reading
    independent of the count's own), and kept within the scale's bounds `low` and `high` where given (a
    percentage never published above 100)."""
    turned = (int(key_sum) + KEY_SPACE // 2 + 12345) % KEY_SPACE
    moved = mean + scale * noise(2, turned)
    if low is not None:
        moved = max(low, moved)
    if high is not None:
        moved = min(high, moved)
    return moved


def withheld(published: int | None, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """A group is withheld when its published size is 1 to threshold - 1."""
    return published is not None and 0 < published < threshold


def key_bounds_ok() -> bool:
    """Every row of the table sums to 1, has mean 0 and keeps counts non-negative (checked by a test)."""
    for value, row in PTABLE.items():
        if abs(sum(p for _n, p in row) - 1) > 1e-9 or abs(sum(n * p for n, p in row)) > 1e-9:
            return False
        if any(value + n < 0 for n, _p in row) and value >= 0:
            return False
    return True
