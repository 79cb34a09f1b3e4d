import numpy as np
import pytest

from sgdbalance.theory import table
from sgdbalance.theory.moments import Moments


@pytest.fixture(scope="module")
def rows():
    return table.table1(Moments.population(0.5, 0.5), k=0.5, temperature=0.3, weight_decay=0.1)


def test_every_closed_form_agrees_with_the_quadrature(rows):
    assert {r["case"] for r in rows} == {
        "D = 1, label noise",
        "D = 1, weight decay 0.1",
        "D = 1, no label noise (y = k x)",
        "D = 0 (linear regression)",
    }
    compared = [r for r in rows if np.isfinite(r["closed_form"])]
    assert len(compared) >= 10
    for r in compared:
        assert r["abs_diff"] < 1e-4 * max(1.0, abs(r["closed_form"])), r


def test_table_values_are_the_papers_formulas(rows):
    value = {(r["case"], r["quantity"].split(" (")[0]): r["closed_form"] for r in rows}
    assert value[("D = 1, label noise", "T_c")] == pytest.approx(2 / 3)
    assert value[("D = 1, weight decay 0.1", "T_c")] == pytest.approx(0.4 / 0.75)
    assert value[("D = 0 (linear regression)", "T at which Var[v] diverges")] == 0.5
    assert value[("D = 1, label noise", "tail power of p")] == -3.5


def test_weight_decay_is_a_shift_of_beta2_only():
    m = Moments.population(0.5, 0.5)
    w = table.with_weight_decay(m, 0.1)
    assert w.beta2 == pytest.approx(0.4)
    np.testing.assert_allclose(w.g([0.0, 1.0, 2.0]), m.g([0.0, 1.0, 2.0]))
