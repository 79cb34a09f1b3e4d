"""Independent items of a kernel's work, shared among threads.

A thread pool hands items one at a time to a serial compiled kernel that releases the GIL
(``nogil``); a thread takes the next item when it is done with one, which balances items of
unequal cost. The splitting estimate shares its replicates this way. numba's ``prange`` would
do the same, but its parallel passes compile the loop's body a second time:
``splitting._restart`` compiles in 11 s here against 26 s with ``prange``, on every fresh
checkout and after every edit, and runs no slower (the quick config's split_D2: 16.3-16.8 s
against 17.5-18.0 s on one thread, 7.8-8.1 s against 9.6-10.4 s on two). The ensemble kernel
keeps ``prange``: run on this pool, SGD ran 12-35 % slower.

Items write disjoint outputs, so the results do not depend on the number of threads. The
number of threads is numba's (``NUMBA_NUM_THREADS``, or ``numba.set_num_threads``).
"""

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numba


def in_threads(work: Callable[[int], object], items: Sequence[int]) -> list:
    """``[work(i) for i in items]``, the calls spread over threads.

    Parameters
    ----------
    work : callable
        Called once per item; no two calls may write the same output.
    items : sequence of int
        The items, a ``range`` say.

    Returns
    -------
    list
        What each call returned, in the order of ``items``.
    """
    threads = min(numba.get_num_threads(), len(items))
    if threads <= 1:
        return [work(i) for i in items]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(work, items))
