"""numba's on-disk cache of the kernels, kept in step with every source they are compiled from.

numba stamps a cached function with the file that defines it and nothing else. The kernels
inline functions and freeze constants from other files (``draws.py`` and ``rng.py`` into
``kernels.py``; those and ``kernels.py``'s step functions into ``splitting.py``; the method
codes of ``params.py`` into both), so after an edit to one of those a cached kernel would go
on running the old code, silently. ``drop_stale`` keeps a digest of all of them beside the
cache and deletes the cached kernels when it changes; they then compile afresh on first use.
"""

import hashlib
import os
from pathlib import Path

SOURCES = ("draws.py", "kernels.py", "params.py", "rng.py", "splitting.py")
MODULES = ("kernels", "splitting")  # the modules whose compiled functions are cached
STAMP = "kernel-sources.sha256"


def sources_digest(folder: Path) -> str:
    """SHA-256 of the kernels' sources in ``folder``, in the order of ``SOURCES``."""
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()


def drop_stale(cache_dir: Path, digest: str) -> bool:
    """Delete the cached kernels in ``cache_dir`` unless they were compiled from sources with
    ``digest``, and record it; return whether anything was deleted.

    Safe beside other processes: numba treats a cache file that disappears under it as a miss,
    and the stamp is replaced atomically.
    """
    stamp = cache_dir / STAMP
    try:
        if stamp.read_text() == digest:
            return False
    except FileNotFoundError:
        pass
    stale = [f for module in MODULES for f in cache_dir.glob(f"{module}.*.nb[ic]")]
    for f in stale:
        f.unlink(missing_ok=True)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cache_dir / f"{STAMP}.{os.getpid()}"
        partial.write_text(digest)
        os.replace(partial, stamp)
    except OSError:  # a folder numba cannot write to either: it caches nothing there
        pass
    return bool(stale)
