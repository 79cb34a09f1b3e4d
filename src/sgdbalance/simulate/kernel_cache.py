"""numba's on-disk cache of the kernels, checked against every source they are compiled from.

numba stamps a cached function with the file that defines it and nothing else. The kernels
inline functions and freeze constants from other files (``draws.py`` and ``rng.py`` into
``kernels.py``; those and ``kernels.py``'s step functions into ``splitting.py``; the method
codes of ``params.py`` into both), so after an edit to one of those a cached kernel would go
on running the old code, silently. ``stamp_with_sources`` adds a digest of all of them to the
stamp numba compares before it loads a cached function: a process then loads only what was
compiled from the sources it imported, and compiles afresh otherwise.

``compile_once`` lets one process at a time compile a kernel, so that jobs started together
do not each compile it.
"""

import fcntl
import hashlib
from collections.abc import Callable
from pathlib import Path

SOURCES = ("draws.py", "kernels.py", "params.py", "rng.py", "splitting.py")


def sources_digest(folder: Path) -> str:
    """SHA-256 of the kernels' sources in ``folder``: each file's name, length and bytes."""
    digest = hashlib.sha256()
    for name in SOURCES:
        text = (folder / name).read_bytes()
        digest.update(f"{name}\0{len(text)}\0".encode())
        digest.update(text)
    return digest.hexdigest()


DIGEST = sources_digest(Path(__file__).parent)


def stamp_with_sources(namespace: dict) -> None:
    """Add ``DIGEST`` to the cache stamp of every cached numba function defined in the module
    whose ``globals()`` is ``namespace``.

    Call it once, at the end of the module: numba reads the stamp when a function is first
    called. Under NUMBA_DISABLE_JIT there is nothing to stamp.
    """
    for obj in list(namespace.values()):
        # numba keeps the stamp on the cache's index file (numba.core.caching, pinned version):
        # an index whose stamp differs reads as empty, and a save writes this stamp.
        cache_file = getattr(getattr(obj, "_cache", None), "_cache_file", None)
        if cache_file is not None and obj.py_func.__module__ == namespace["__name__"]:
            cache_file._source_stamp = (cache_file._source_stamp, DIGEST)


_WARM: set[str] = set()  # the kernels this process has compiled or loaded


def compile_once(dispatcher, call: Callable[[], object]) -> None:
    """Compile or load a cached kernel, one process at a time.

    ``call`` calls ``dispatcher`` with the argument types it will be run with and no work to
    do. It runs holding an exclusive lock beside numba's cache of ``dispatcher``: processes
    that start together (the first jobs of a build, the tests) then compile the kernel once,
    the first writing the cache and the others waiting for it and loading it (0.3 s), where
    each would otherwise compile it on the cores they share (about 20 s each). Once per
    process; without a cache (NUMBA_DISABLE_JIT) or a writable cache folder, ``call`` runs
    unlocked.
    """
    name = dispatcher.__name__
    if name in _WARM:
        return
    folder = getattr(getattr(dispatcher, "_cache", None), "_cache_path", None)
    lock = None
    if folder is not None:
        try:
            lock = open(Path(folder) / f"{name}.lock", "w")  # noqa: SIM115
        except OSError:  # a cache folder this process cannot write
            pass
    if lock is None:
        call()
    else:
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            call()
    _WARM.add(name)
