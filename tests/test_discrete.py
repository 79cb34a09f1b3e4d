import numpy as np
import pytest

from sgdbalance import discrete


def test_batch_means_lists_every_batch_when_cheap_and_draws_otherwise():
    z = np.array([0.0, 1.0, 3.0])
    bm = discrete.batch_means(z, 2, seed=0)
    expected = sorted((a + b) / 2 for a in z for b in z)  # 9 ordered pairs, with replacement
    assert bm.exact and sorted(bm.values) == expected
    assert discrete.batch_means(z, 1, seed=0).values.tolist() == z.tolist()
    big = discrete.batch_means(np.arange(5000.0), 4, seed=7, draws=1000)
    assert not big.exact and big.values.size == 1000
    assert np.array_equal(big.values, discrete.batch_means(np.arange(5000.0), 4, 7, 1000).values)
    with pytest.raises(ValueError, match="batch must be >= 1"):
        discrete.batch_means(z, 0, seed=0)


def test_sign_changes_and_positive_root():
    roots = discrete.sign_changes(lambda x: (x - 1) * (x - 3), np.linspace(0, 4, 9))
    assert roots == pytest.approx([1.0, 3.0], abs=1e-10)
    assert discrete.sign_changes(lambda x: x * x + 1, np.linspace(-2, 2, 9)) == []

    # log E|A|^c for A = 4, 1/4, 1/4: convex, 0 at 0, slope -ln(4)/3 there; with u = 4^c
    # the root solves u + 2/u = 3, u = 2: c = 1/2.
    def f(c):
        return np.log((4.0**c + 2 * 0.25**c) / 3)

    assert discrete.positive_root(f) == pytest.approx(0.5, abs=1e-10)
