"""A cached kernel is loaded only by a process that imported the sources it was compiled from."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sgdbalance.simulate import draws, kernel_cache, kernels, splitting

SIMULATE = Path(kernels.__file__).parent
# Imported by the kernels' sources but run as plain Python only: numba compiles none of it.
PLAIN_PYTHON = {(1, "kernel_cache"), (1, "threads"), (2, "theory.moments")}


def test_an_edit_to_any_source_changes_the_digest(tmp_path):
    for name in kernel_cache.SOURCES:
        shutil.copy(SIMULATE / name, tmp_path / name)
    before = kernel_cache.sources_digest(tmp_path)
    assert before == kernel_cache.DIGEST
    for name in kernel_cache.SOURCES:
        source = tmp_path / name
        text = source.read_text()
        source.write_text(text + "\n")
        assert kernel_cache.sources_digest(tmp_path) != before, name
        source.write_text(text)
    # Text moved from the end of one file to the start of the next is an edit too.
    first, second = (tmp_path / n for n in kernel_cache.SOURCES[:2])
    a, b = first.read_text(), second.read_text()
    first.write_text(a[:-1])
    second.write_text(a[-1] + b)
    assert kernel_cache.sources_digest(tmp_path) != before


def test_every_module_the_kernels_import_is_in_the_digest():
    # A module compiled into the kernels but left out of SOURCES would bring stale caches back.
    imported = set()
    for name in kernel_cache.SOURCES:
        for node in ast.walk(ast.parse((SIMULATE / name).read_text())):
            if isinstance(node, ast.ImportFrom) and node.level >= 1:
                names = [node.module] if node.module else [a.name for a in node.names]
                imported.update((node.level, n) for n in names)
    in_digest = {(1, Path(s).stem) for s in kernel_cache.SOURCES}
    assert imported - PLAIN_PYTHON <= in_digest


@pytest.mark.parametrize("module", [draws, kernels, splitting])
def test_every_cached_function_carries_the_digest_once(module):
    cached = [
        obj
        for obj in vars(module).values()
        if hasattr(getattr(obj, "_cache", None), "_cache_file")
        and obj.py_func.__module__ == module.__name__
    ]
    assert cached
    for fn in cached:
        numba_stamp, digest = fn._cache._cache_file._source_stamp
        assert digest == kernel_cache.DIGEST, fn
        assert kernel_cache.DIGEST not in repr(numba_stamp), fn  # not stamped twice
    if module is kernels:
        assert kernels.advance in cached
    if module is splitting:
        assert splitting._restart in cached


MIX_ONE = """
import numpy as np
from sgdbalance.simulate import draws, rng
compiled = int(draws.mix(np.uint64(1)))
print(compiled == rng.mix(1), draws.mix.stats.cache_hits[draws.mix.signatures[0]])
"""


@pytest.mark.slow
def test_an_edit_to_a_constant_in_another_file_recompiles_the_kernel(tmp_path):
    # draws.mix freezes rng.MIX1 when it is compiled; numba alone stamps draws.py only, so after
    # the edit below it loaded the old constant from its cache (the printed check was False).
    shutil.copytree(
        SIMULATE.parent, tmp_path / "sgdbalance", ignore=shutil.ignore_patterns("__pycache__")
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "NUMBA_CACHE_DIR": str(tmp_path / "cache")}

    def run():
        out = subprocess.run([sys.executable, "-c", MIX_ONE], env=env, capture_output=True,
                             text=True, check=True)  # fmt: skip
        return out.stdout.split()

    assert run() == ["True", "0"]  # compiled
    assert run() == ["True", "1"]  # loaded from the cache
    rng_py = tmp_path / "sgdbalance/simulate/rng.py"
    text = rng_py.read_text()
    assert "MIX1 = 0xBF58476D1CE4E5B9" in text
    rng_py.write_text(text.replace("MIX1 = 0xBF58476D1CE4E5B9", "MIX1 = 0xBF58476D1CE4E5BB"))
    assert run() == ["True", "0"]  # compiled again, with the new constant
    assert run() == ["True", "1"]


class _Kernel:
    """A stand-in for a cached numba function: its name and numba's cache folder."""

    def __init__(self, folder):
        self.__name__ = "kernel"
        self._cache = type("Cache", (), {"_cache_path": str(folder)})()


def test_compile_once_lets_one_process_compile_while_the_others_wait(tmp_path):
    # Two processes ask for the same variant at once: the second starts its call only when the
    # first has finished its own (and, with a real kernel, written the cache it then loads).
    script = f"""
import sys, time
sys.path.insert(0, {str(Path(__file__).parent)!r})
from test_kernel_cache import _Kernel
from sgdbalance.simulate import kernel_cache
def call():
    print("start", time.monotonic(), flush=True)
    time.sleep(1.0)
    print("end", time.monotonic(), flush=True)
kernel_cache.compile_once(_Kernel({str(tmp_path)!r}), call)
"""
    runs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
            for _ in range(2)]  # fmt: skip
    spans = sorted(
        tuple(float(line.split()[1]) for line in run.communicate(timeout=60)[0].splitlines())
        for run in runs
    )
    assert all(run.returncode == 0 for run in runs)
    (start1, end1), (start2, _) = spans
    assert start2 >= end1 > start1


def test_compile_once_calls_once_per_process(tmp_path):
    kernel, calls = _Kernel(tmp_path), []
    for _ in range(3):
        kernel_cache.compile_once(kernel, lambda: calls.append(1))
    assert calls == [1]
    kernel_cache._WARM.discard(kernel.__name__)
