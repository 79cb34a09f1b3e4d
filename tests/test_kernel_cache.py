"""The kernels' numba cache is emptied when any file they compile from changes."""

import ast
import shutil
from pathlib import Path

import numpy as np

from sgdbalance.simulate import kernel_cache, kernels

SIMULATE = Path(kernels.__file__).parent


def _fill(folder: Path) -> dict[str, Path]:
    names = {
        "kernel index": "kernels.advance-253.py311.nbi",
        "kernel data": "kernels.advance-253.py311.1.nbc",
        "splitting index": "splitting._restart-71.py311.nbi",
        "bytecode": "kernels.cpython-311.pyc",
        "other module": "ensemble.values-12.py311.nbi",
    }
    for name in names.values():
        (folder / name).write_text("x")
    return {label: folder / name for label, name in names.items()}


def test_a_changed_digest_drops_the_kernels_cache_and_nothing_else(tmp_path):
    files = _fill(tmp_path)
    assert kernel_cache.drop_stale(tmp_path, "a")  # no stamp yet: whatever is there is stale
    kept = {label for label, f in files.items() if f.exists()}
    assert kept == {"bytecode", "other module"}
    assert (tmp_path / kernel_cache.STAMP).read_text() == "a"

    files = _fill(tmp_path)
    assert not kernel_cache.drop_stale(tmp_path, "a")  # the same sources: the cache stays
    assert all(f.exists() for f in files.values())

    assert kernel_cache.drop_stale(tmp_path, "b")
    assert not files["kernel index"].exists() and not files["splitting index"].exists()
    assert (tmp_path / kernel_cache.STAMP).read_text() == "b"
    assert [f.name for f in tmp_path.iterdir() if kernel_cache.STAMP in f.name] == [
        kernel_cache.STAMP
    ]  # no partial stamp left behind


def test_an_edit_to_any_source_changes_the_digest(tmp_path):
    for name in kernel_cache.SOURCES:
        shutil.copy(SIMULATE / name, tmp_path / name)
    before = kernel_cache.sources_digest(tmp_path)
    assert before == kernel_cache.sources_digest(SIMULATE)
    for name in kernel_cache.SOURCES:
        source = tmp_path / name
        text = source.read_text()
        source.write_text(text + "\n")
        assert kernel_cache.sources_digest(tmp_path) != before, name
        source.write_text(text)


def test_every_simulate_module_the_kernels_import_is_in_the_digest():
    # A new module inlined into the kernels, left out of SOURCES, would bring the stale cache back.
    not_compiled = {"kernel_cache", "threads"}  # imported, but no code of theirs is compiled
    imported = set()
    for module in kernel_cache.MODULES:
        for node in ast.walk(ast.parse((SIMULATE / f"{module}.py").read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module] if node.module else [a.name for a in node.names]
                imported.update(names)
    assert imported - not_compiled <= {Path(s).stem for s in kernel_cache.SOURCES}
    assert {f"{m}.py" for m in kernel_cache.MODULES} <= set(kernel_cache.SOURCES)


def test_the_stamp_sits_where_numba_caches_the_kernels():
    kernels.values(np.ones((2, 1, 2)))  # compiled (or loaded) and cached
    cache = Path(kernels.advance._cache._cache_path)
    assert (cache / kernel_cache.STAMP).read_text() == kernel_cache.sources_digest(SIMULATE)
    assert list(cache.glob("kernels.values-*.nbi"))
