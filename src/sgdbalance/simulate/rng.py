"""A counter-based random stream per run: SplitMix64 (Steele, Lea & Flood 2014).

Draw ``n`` of run ``r`` is ``mix(key_r + (n + 1) * GOLDEN)``: it depends on the seed, the run
index and the draw's position only, never on which thread, job or chunk of steps simulates the
run, so an ensemble gives the same bits however it is split. The per-run keys come from
``numpy.random.SeedSequence``. The functions here are plain Python on integers, written so that
numba compiles the same operations on uint64 (``kernels.py``); the readable reference
(``reference.py``) calls them directly.
"""

import numpy as np

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB
TWO_PI = 6.283185307179586
INV_2_53 = 1.0 / 9007199254740992.0


def mix(z):
    """SplitMix64's output function, modulo 2^64: on an int, or elementwise on a uint64 array
    (whose arithmetic wraps modulo 2^64 by itself)."""
    z = ((z ^ (z >> 30)) * MIX1) & MASK
    z = ((z ^ (z >> 27)) * MIX2) & MASK
    return z ^ (z >> 31)


def run_keys(seed: int, runs: range) -> np.ndarray:
    """The key of each run in ``runs``: a function of ``(seed, run index)`` only.

    Parameters
    ----------
    seed : int
        The ensemble's seed.
    runs : range
        Run indices.

    Returns
    -------
    ndarray of uint64, shape (len(runs),)
    """
    base = np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64)[0]
    index = np.arange(runs.start, runs.stop, runs.step, dtype=np.uint64)
    # On arrays, not run by run: 10^5 keys take 4 ms instead of 70. Run by run, a short
    # ensemble (10^4 runs, 125 steps of S = 8: 10^7 sample gradients) spent about as long on
    # its keys as on its steps.
    return mix(base + mix(index + np.uint64(1)))


def draw(key: int, counter: int) -> tuple[int, int]:
    """The next 64 random bits of a run and its advanced counter."""
    counter = (counter + 1) & MASK
    return mix((key + counter * GOLDEN) & MASK), counter


def index(bits: int, n: int) -> int:
    """An index in ``[0, n)`` by Lemire's multiply-shift on the top 32 bits.

    Without rejection: each index has probability within ``n / 2^32`` of ``1/n`` (1e-6
    relative for n = 10^4 samples), far below any statistical resolution here.
    """
    return ((bits >> 32) * n) >> 32


def uniform(bits: int) -> float:
    """A double in ``(0, 1]``, from the top 53 bits."""
    return ((bits >> 11) + 1) * INV_2_53
