import numpy as np
import pytest
from workflow_runner import QUICK, snakemake

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


@pytest.fixture(scope="session")
def quick_build(tmp_path_factory):
    """The quick config built once, with 2 cores, in a temporary directory: the workflow tests
    read it and the SLURM run is compared with it."""
    work = tmp_path_factory.mktemp("quick")
    result = snakemake("--cores", "2", "--configfile", str(QUICK), cwd=work)
    assert result.returncode == 0, result.stderr[-3000:]
    return work
