"""The per-run streams' keys: SplitMix64, on integers and on uint64 arrays alike."""

import numpy as np
import pytest

from sgdbalance.simulate.rng import GOLDEN, MASK, mix, run_keys


def test_mix_gives_splitmix64s_published_outputs():
    # SplitMix64 from state 0 (Vigna's splitmix64.c): the first three outputs.
    outputs = [mix(k * GOLDEN & MASK) for k in (1, 2, 3)]
    assert outputs == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


def test_mix_on_a_uint64_array_is_mix_of_each_element():
    z = np.array([0, 1, GOLDEN, MASK, 2**63, 12345678901234567890], dtype=np.uint64)
    assert mix(z).tolist() == [mix(int(e)) for e in z]


@pytest.mark.parametrize("seed", [0, 7, 2**40])
@pytest.mark.parametrize("runs", [range(0), range(1), range(1000), range(37, 100), range(3, 40, 7)])
def test_run_keys_are_the_formula_written_on_python_ints(seed, runs):
    base = int(np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64)[0])
    expected = [mix((base + mix(r + 1)) & MASK) for r in runs]
    keys = run_keys(seed, runs)
    assert keys.dtype == np.uint64 and keys.tolist() == expected


def test_a_runs_key_does_not_depend_on_the_range_it_is_drawn_in():
    whole = run_keys(5, range(100))
    np.testing.assert_array_equal(whole[37:], run_keys(5, range(37, 100)))
    np.testing.assert_array_equal(whole[:37], run_keys(5, range(37)))
