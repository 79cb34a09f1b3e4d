import pytest

from sgdbalance.discrete import finite_step
from sgdbalance.theory.moments import Moments


def test_discrete_variance_is_the_published_formula_for_gaussian_data():
    k, sigma, eta, batch = 0.5, 0.5, 0.1, 2
    t = eta / batch
    published = t * sigma**2 / (1 - (batch + 2) * t)  # PAPER.md section 4
    assert finite_step.discrete_variance(Moments.population(k, sigma), eta, batch) == pytest.approx(
        published, rel=1e-12
    )
