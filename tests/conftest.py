import numpy as np
import pytest

from sgdbalance.simulate.data import DatasetParams, make_dataset
from sgdbalance.theory.moments import Moments


@pytest.fixture(scope="session")
def dataset():
    """The example training set of the configs, drawn once: x ~ N(0,1), y = 0.5 x + 0.5 eps."""
    params = DatasetParams(n=10_000, k=0.5, sigma=0.5, seed=20230813)
    return make_dataset(params, np.random.default_rng(np.random.SeedSequence(params.seed)))


@pytest.fixture(scope="session")
def moments(dataset):
    return Moments.of_samples(*dataset)


@pytest.fixture(scope="session")
def regression_set():
    """``draw(k, sigma, n, seed=1)``: a training set ``y = k x + sigma eps``, ``x ~ N(0, 1)``,
    drawn by the package's own ``make_dataset``."""

    def draw(k, sigma, n, seed=1):
        params = DatasetParams(n=n, k=k, sigma=sigma, seed=seed)
        return make_dataset(params, np.random.default_rng(seed))

    return draw


# The files whose end-to-end runs take minutes, longest first. They are collected first, so
# that under `pytest -n` (one file per worker) they start at once and the short files fill the
# other workers around them.
LONGEST_FIRST = ("test_workflow.py", "test_slurm.py", "test_faults.py", "test_install.py")


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: files keep order
