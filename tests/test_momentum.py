"""Heavy-ball momentum: the exact D = 0 variance and the D = 1 imbalance recursion, each against
something computed another way."""

import itertools

import numpy as np
import pytest

from sgdbalance.discrete import momentum
from sgdbalance.discrete.finite_step import discrete_variance
from sgdbalance.theory.fluctuation import linear_regression_variance
from sgdbalance.theory.moments import Moments


@pytest.mark.parametrize("eta, batch", [(0.05, 1), (0.2, 4), (0.3, 1)])
def test_zero_momentum_gives_the_plain_sgd_variance(moments, eta, batch):
    assert momentum.momentum_variance(moments, eta, batch, 0.0) == pytest.approx(
        discrete_variance(moments, eta, batch), rel=1e-12
    )


@pytest.mark.parametrize("eta, batch, beta", [(0.005, 1, 0.9), (0.05, 2, 0.5), (0.02, 4, 0.7)])
def test_closed_form_solves_the_moment_map_and_is_its_limit(moments, eta, batch, beta):
    cov = momentum.momentum_covariance(moments, eta, batch, beta)
    assert cov[0, 0] == pytest.approx(
        momentum.momentum_variance(moments, eta, batch, beta), rel=1e-10
    )
    M, c = momentum.second_moment_map(moments, eta, batch, beta)
    s = np.zeros(3)
    for _ in range(200_000):  # iterate the exact recursion from rest to convergence
        s = M @ s + c
    np.testing.assert_allclose(s, [cov[0, 0], cov[0, 1], cov[1, 1]], rtol=1e-9)


def test_moment_map_against_batches_listed_one_by_one():
    # Independent of the hand-derived 3 x 3 entries: vec(Sigma') = E[A (x) A] vec(Sigma) +
    # E[b (x) b] over every ordered batch of a 6-point training set, S = 3 (216 batches).
    rng = np.random.default_rng(np.random.SeedSequence(5))
    x = rng.normal(size=6)
    y = 0.5 * x + 0.5 * rng.normal(size=6)
    m = Moments.of_samples(x, y)
    v_star, eta, batch, beta = m.beta2 / m.beta1, 0.07, 3, 0.8
    kron_a, kron_b = np.zeros((4, 4)), np.zeros(4)
    batches = list(itertools.product(range(6), repeat=batch))
    for idx in batches:
        m2, mxy = np.mean(x[list(idx)] ** 2), np.mean(x[list(idx)] * y[list(idx)])
        p = 2 * eta * m2
        a = np.array([[1 - p, beta], [-p, beta]])
        b = -eta * 2 * (m2 * v_star - mxy) * np.ones(2)
        kron_a += np.kron(a, a) / len(batches)
        kron_b += np.kron(b, b) / len(batches)
    sigma = np.linalg.solve(np.eye(4) - kron_a, kron_b).reshape(2, 2)
    np.testing.assert_allclose(momentum.momentum_covariance(m, eta, batch, beta), sigma, rtol=1e-10)


def test_variance_against_a_direct_monte_carlo_of_heavy_ball(dataset, moments):
    # 20000 independent heavy-ball runs of linear regression in numpy, 600 steps (relaxation
    # takes about (1 - beta) / (2 eta beta1) = 5 steps per e-fold at eta = 0.01, beta = 0.9),
    # v at the end: 4 standard errors of a sample variance (fourth-moment formula).
    x, y = dataset
    eta, batch, beta, runs = 0.01, 2, 0.9, 20_000
    rng = np.random.default_rng(np.random.SeedSequence(11))
    v, vel = np.full(runs, 0.5), np.zeros(runs)
    for _ in range(600):
        idx = rng.integers(0, x.size, size=(runs, batch))
        grad = 2 * (v * (x[idx] ** 2).mean(axis=1) - (x[idx] * y[idx]).mean(axis=1))
        vel = beta * vel - eta * grad
        v = v + vel
    var = v.var(ddof=1)
    se = np.sqrt((np.mean((v - v.mean()) ** 4) - var**2) / runs)
    exact = momentum.momentum_variance(moments, eta, batch, beta)
    assert abs(var - exact) < 4 * se
    # Negative control: plain SGD at the same eta has a variance 10 times smaller.
    assert abs(var - discrete_variance(moments, eta, batch)) > 20 * se


def test_gap_to_the_sgf_at_equal_t_eff_shrinks_with_momentum(moments):
    t_eff, batch = 0.05, 1
    gaps = [momentum.variance_gap(moments, t_eff, batch, b) for b in (0.0, 0.5, 0.9, 0.99)]
    assert all(a > b > 0 for a, b in itertools.pairwise(gaps))
    # First order: S T_eff beta1 (1 - beta) / (1 + beta), to O(T_eff^2) relative.
    for b, gap in zip((0.0, 0.5, 0.9, 0.99), gaps, strict=True):
        first = batch * t_eff * moments.beta1 * (1 - b) / (1 + b)
        assert gap == pytest.approx(first, rel=3 * t_eff * moments.alpha1 / moments.beta1)
    # The SGF's variance here is the project's D = 0 one.
    assert momentum.sgf_variance(moments, t_eff) == pytest.approx(
        linear_regression_variance(moments, t_eff), rel=1e-12
    )


def test_divergence_is_reported_as_inf(moments):
    assert momentum.momentum_variance(moments, 0.3, 1, 0.9) == np.inf  # T_eff = 3
    assert np.isinf(momentum.momentum_covariance(moments, 0.3, 1, 0.9)).all()


def test_effective_temperature_refuses_a_momentum_of_one():
    assert momentum.effective_temperature(0.05, 2, 0.0) == 0.025
    with pytest.raises(ValueError, match="momentum must be in"):
        momentum.effective_temperature(0.05, 2, 1.0)


def test_imbalance_recursion_is_exact_on_random_steps():
    # Two-layer heavy ball in numpy: (Q, J, K, R) from the recursion against the same quantities
    # formed from the updated u, w, m_u, m_w, over 50 steps with random G; to rounding.
    rng = np.random.default_rng(np.random.SeedSequence(3))
    eta, beta = 0.1, 0.9
    u, w = rng.normal(size=1000) * 2, rng.normal(size=1000) * 0.3
    mu, mw = rng.normal(size=1000) * 0.1, rng.normal(size=1000) * 0.1
    state = (u * u - w * w, u * mu - w * mw, mu * mu - mw * mw, w * mu - u * mw)
    for _ in range(50):
        g = rng.normal(size=1000)
        state = momentum.imbalance_step(*state, g, eta, beta)
        mu, mw = beta * mu - eta * g * w, beta * mw - eta * g * u
        u, w = u + mu, w + mw
    direct = (u * u - w * w, u * mu - w * mw, mu * mu - mw * mw, w * mu - u * mw)
    scale = u * u + w * w + mu * mu + mw * mw
    for a, b in zip(state, direct, strict=True):
        assert np.max(np.abs(a - b) / scale) < 1e-12
    # The plain-SGD law (1 - eta^2 G^2) Q alone misses with momentum.
    q0 = 4.0
    q1 = momentum.imbalance_step(q0, 1.0, 0.5, 0.2, 1.0, eta, beta)[0]
    assert abs(q1 - (1 - eta**2) * q0) > 0.1


# --- checks.momentum ------------------------------------------------------------------------


def _ensemble(dataset, **changes):
    from sgdbalance.simulate.ensemble import simulate
    from sgdbalance.simulate.params import EnsembleParams

    base = dict(method="sgd", depth=1, eta=0.002, batch=1, n_runs=256, seed=5, time=12.0,
                init=(2.0, 0.25), momentum=0.9, n_checkpoints=40)  # fmt: skip
    p = EnsembleParams(**(base | changes))
    return simulate(*dataset, p), p


def test_momentum_balance_passes_at_t_eff_and_fails_at_the_plain_t(dataset, moments):
    # Heavy ball at T_eff = 0.02, beta = 0.9, 256 runs (the config's experiment, fewer runs):
    # the rate is 4 T_eff g within the check's tolerance; read with the plain-SGD T = eta / S
    # and time steps x eta (momentum 0 in the parameters), the same data miss by a factor 100.
    import dataclasses

    from sgdbalance.checks import momentum_balance

    run, p = _ensemble(dataset)
    record = momentum_balance(run, p, moments)
    assert record["passed"], record
    assert record["details"]["negative_control_plain_T"] > 50
    wrong = momentum_balance(run, dataclasses.replace(p, momentum=0.0), moments)
    assert not wrong["passed"]


def test_momentum_variance_check_passes_and_fails_on_a_wrong_beta(dataset, moments):
    # D = 0 at T_eff = 0.1 (eta = 0.2, S = 4, beta = 0.5), 8192 runs: the exact variance
    # within 4 standard errors; the same ensemble read as beta = 0.75 (T_eff = 0.2) fails.
    import dataclasses

    from sgdbalance.checks import momentum_variance_check

    run, p = _ensemble(dataset, depth=0, eta=0.2, batch=4, momentum=0.5, n_runs=8192,
                       time=100.0, init=(0.5,))  # fmt: skip
    assert momentum_variance_check([(run, p)], moments)["passed"]
    wrong = dataclasses.replace(p, momentum=0.75)
    assert not momentum_variance_check([(run, wrong)], moments)["passed"]


class _Gaussian:
    """A stand-in for a stationary density: N(mean, std^2)."""

    def __init__(self, mean, std):
        from scipy import stats

        self.mean, self.variance, self.depth = mean, std**2, 1
        self.cdf = stats.norm(mean, std).cdf


def test_gap_series_tells_eta_over_1_plus_beta_from_the_folk_rule():
    # Synthetic finals: N(0.5, (0.1 (1 + gap))^2), 20000 each, seed 13. Gaps 0.5 eta / (1 +
    # beta) pass; equal gaps at equal T_eff (the folk rule) fail.
    from types import SimpleNamespace

    from sgdbalance.checks import momentum_gap_series

    rng = np.random.default_rng(np.random.SeedSequence(13))
    theory = _Gaussian(0.5, 0.1)

    def series(gap_of):
        out = []
        for eta, beta in [(0.2, 0.0), (0.1, 0.5), (0.02, 0.9)]:
            p = SimpleNamespace(eta=eta, batch=4, momentum=beta, depth=1, seed=1,
                                temperature=eta / ((1 - beta) * 4))  # fmt: skip
            v = rng.normal(0.5, 0.1 * (1 + gap_of(eta, beta)), size=20000)
            out.append(({"v_final": v, "diverged": np.zeros(v.size, bool)}, p, theory))
        return out

    assert momentum_gap_series(series(lambda eta, beta: 0.5 * eta / (1 + beta)))["passed"]
    assert not momentum_gap_series(series(lambda eta, beta: 0.1))["passed"]


def test_adam_variance_passes_for_adam_and_fails_for_sgd(dataset, moments):
    # 256 runs of 20000 steps at eta = 0.005 from (2, 0.1), seed 17 (about 10 s): Adam's
    # stationary Var[v] is eta sigma s* / (4 beta1); plain SGD at the same eta (which balances,
    # d -> 0, and whose spread is set by T) is 50 % off and fails the same check.
    from sgdbalance.checks import adaptive_variance
    from sgdbalance.discrete.adaptive import AdaptiveParams, adam_variance, adaptive_ensemble

    x, y = dataset
    adam = AdaptiveParams("adam", 0.005, 1, 20000, 256, 17)
    record = adaptive_variance(adaptive_ensemble(x, y, adam), adam, moments)
    assert record["passed"], record
    assert record["details"]["negative_control_balanced_excluded"]
    sgd = AdaptiveParams("sgd", 0.005, 1, 20000, 256, 17)
    assert not adaptive_variance(adaptive_ensemble(x, y, sgd), sgd, moments)["passed"]
    # The closed form: balanced (d = 0), v* = 0.5 and g(v*) = 0.25 give eta / (2 sqrt 2).
    population = Moments.population(0.5, 0.5)
    assert adam_variance(population, 0.005, 1, 0.0) == pytest.approx(0.005 / (2 * np.sqrt(2)))
