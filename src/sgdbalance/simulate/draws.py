"""The counter-based stream of ``rng.py``, compiled: the same operations on uint64, inlined
into the kernels (``kernels.py``). ``rng.py`` is the readable twin the tests compare with."""

import math

import numpy as np
from numba import njit

from .rng import GOLDEN, INV_2_53, MIX1, MIX2, TWO_PI

_GOLDEN = np.uint64(GOLDEN)
_MIX1 = np.uint64(MIX1)
_MIX2 = np.uint64(MIX2)
_ONE = np.uint64(1)
_S11, _S27, _S30, _S31, S32 = (np.uint64(s) for s in (11, 27, 30, 31, 32))


@njit(cache=True, inline="always")
def bits(state, r):
    """Draw n of run r, ``mix(key_r + n * GOLDEN)``; ``state[r] = key_r + (n - 1) * GOLDEN``."""
    state[r] += _GOLDEN
    z = state[r]
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def index(raw, n):
    return np.int64(((raw >> S32) * np.uint64(n)) >> S32)


@njit(cache=True, inline="always")
def uniform(raw):
    return np.float64((raw >> _S11) + _ONE) * INV_2_53


@njit(cache=True, inline="always")
def normal(state, r):
    u1 = uniform(bits(state, r))
    u2 = uniform(bits(state, r))
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(TWO_PI * u2)
