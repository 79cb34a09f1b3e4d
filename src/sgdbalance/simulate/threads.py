"""Independent pieces of a kernel's work, shared among threads.

A thread pool hands consecutive ranges of independent items to a serial compiled kernel that
releases the GIL (``nogil``). The splitting estimate shares its replicates this way. numba's
``prange`` would do the same, but its parallel passes compile the loop's body a second time:
``splitting._restart`` compiles in 11 s here against 26 s with ``prange``, on every fresh
checkout and after every edit, and runs no slower (the quick config's split_D2: 16.3-16.8 s
against 17.5-18.0 s on one thread, 7.8-8.1 s against 9.6-10.4 s on two). The ensemble kernel
keeps ``prange``: run on this pool, SGD ran 20-35 % slower.

Items write disjoint outputs, so the results do not depend on the number of threads or on the
ranges. The number of threads is numba's (``NUMBA_NUM_THREADS``, or ``numba.set_num_threads``).
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numba


def in_threads(work: Callable[[int, int], object], n: int, ranges_per_thread: int) -> list:
    """Call ``work(start, stop)`` on consecutive ranges that cover ``range(n)``, in threads.

    Parameters
    ----------
    work : callable
        Called once per range; no two calls may write the same output.
    n : int
        Number of items.
    ranges_per_thread : int
        Ranges per thread (fewer when there are fewer items): more than one balances items
        of unequal cost, as each thread takes the next range when it is done with one.

    Returns
    -------
    list
        What each call returned, in the order of the ranges.
    """
    threads = numba.get_num_threads()
    pieces = max(1, min(n, ranges_per_thread * threads))
    bounds = [n * i // pieces for i in range(pieces + 1)]
    ranges = list(zip(bounds[:-1], bounds[1:], strict=True))
    threads = min(threads, pieces)
    if threads == 1:
        return [work(start, stop) for start, stop in ranges]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda bounds: work(*bounds), ranges))
