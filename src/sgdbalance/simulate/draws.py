"""The counter-based stream of ``rng.py``, compiled: the same operations on uint64, inlined
into the kernels (``kernels.py``). ``rng.py`` is the readable twin the tests compare with."""

import math

import numpy as np
from numba import njit

from . import kernel_cache
from .rng import GOLDEN, INV_2_53, MIX1, MIX2, TWO_PI

_GOLDEN = np.uint64(GOLDEN)
_MIX1 = np.uint64(MIX1)
_MIX2 = np.uint64(MIX2)
_ONE = np.uint64(1)
_S11, _S27, _S30, _S31, S32 = (np.uint64(s) for s in (11, 27, 30, 31, 32))


@njit(cache=True, inline="always")
def mix(z):
    """SplitMix64's output function (``rng.mix``)."""
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def bits(state, r):
    """Draw n of run r, ``mix(key_r + n * GOLDEN)``; ``state[r] = key_r + (n - 1) * GOLDEN``."""
    state[r] += _GOLDEN
    return mix(state[r])


@njit(cache=True, inline="always")
def minibatch_sums(state, r, data, batch):
    """Sums of ``data[j, 0]`` and ``data[j, 1]`` over S indices drawn with replacement.

    Each 64 random bits give two indices (top and bottom 32 bits), in the order
    ``rng.index(bits), rng.index(bits << 32)``. The stream position stays in a register
    through the batch and the indices come in pairs: no branch in the loop (about 5 % at
    S = 8 on one thread), same draws, same sums.
    """
    n = data.shape[0]
    z = state[r]
    s2 = 0.0
    sxy = 0.0
    for _ in range(batch // 2):
        z += _GOLDEN
        raw = mix(z)
        j = index(raw, n)
        k = index(raw << S32, n)
        s2 += data[j, 0]
        sxy += data[j, 1]
        s2 += data[k, 0]
        sxy += data[k, 1]
    if batch % 2:
        z += _GOLDEN
        j = index(mix(z), n)
        s2 += data[j, 0]
        sxy += data[j, 1]
    state[r] = z
    return s2, sxy


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


kernel_cache.stamp_with_sources(globals())  # this file's cached functions: see kernel_cache
