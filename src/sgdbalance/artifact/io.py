"""File input and output; every write is atomic (temporary file, then ``os.replace``), and
every file written gets the mode a plain ``open`` would give it (the umask's, or the mode of the
file it replaces)."""

import csv
import json
import os
import stat
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..theory.density import StationaryDensity
from ..theory.moments import Moments


def current_umask() -> int:
    """The process's umask, read from ``/proc/self/status`` where the kernel shows it.

    Elsewhere it is read by setting and restoring it, which is not safe while other threads
    create files; this package creates files from one thread.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def new_file_mode(path) -> int:
    """The permission bits a file written to ``path`` gets: those of the file it replaces,
    else ``0o666`` less the umask, as ``open(path, "w")`` would create it."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return 0o666 & ~current_umask()


@contextmanager
def atomic_open(path, mode="wb"):
    """Open a temporary file beside ``path``; on success move it onto ``path``.

    A job killed midway, or a write that fails (a full disk), leaves the old file (or none),
    never half of a new one, and no temporary file. The new file gets ``new_file_mode(path)``
    (``mkstemp`` alone would leave it private, 0600, whatever the umask).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as f:
            os.fchmod(f.fileno(), new_file_mode(path))
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        if err.filename is not None:
            raise
        # A failed write names no file (ENOSPC, EIO): say which, and that nothing changed.
        raise OSError(
            err.errno, f"{err.strerror or err}; {path} was not written (any old copy is kept)"
        ) from err
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_npz_atomic(path, arrays: dict) -> None:
    with atomic_open(path, "wb") as f:
        np.savez(f, **arrays)  # an open file: numpy adds no ".npz" suffix


# What reading a damaged .npz raises: a truncated or foreign file, a bad member, pickled data.
NPZ_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error)


def load_npz(path) -> dict:
    """Every array of an ``.npz`` file, read in full.

    Raises FileNotFoundError if there is no such file, and ValueError naming the file if it is
    not a complete ``.npz`` of plain arrays (truncated, another format, pickled objects).
    """
    path = Path(path)
    if not path.is_file():
        what = "a directory, not a file" if path.is_dir() else "no such file"
        raise FileNotFoundError(f"{path}: {what}")
    try:
        f = np.load(path, allow_pickle=False)
        if not isinstance(f, np.lib.npyio.NpzFile):
            raise ValueError("a single .npy array, not an .npz archive")
        with f:
            return {key: f[key] for key in f.files}
    except NPZ_ERRORS as err:
        raise ValueError(f"{path}: not a readable .npz file ({_npz_reason(err)})") from None


def _npz_reason(err: Exception) -> str:
    """Why numpy could not read an .npz, in words that fit this package (which never
    unpickles: numpy's advice to load a pickle "unsafely" does not apply)."""
    text = str(err)
    if "pickled" in text:
        return "not a zip archive of numpy arrays: another format, or pickled Python objects"
    if "Object arrays" in text:
        return "it holds arrays of Python objects, which are never unpickled"
    return text.splitlines()[0] if text else type(err).__name__


def save_json_atomic(path, obj) -> None:
    with atomic_open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True, default=_jsonable)
        f.write("\n")


def load_json(path):
    """The JSON value in ``path``; ValueError naming the file if it is not JSON (truncated)."""
    with open(path) as f:
        try:
            return json.load(f)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"{path}: not a readable JSON file ({err})") from None


def _jsonable(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


def save_dataset(path, x, y, meta: dict) -> None:
    """A training set with its moments, so that theory and SGD read the same numbers."""
    arrays = {
        "x": x,
        "y": y,
        **{k: np.float64(v) for k, v in Moments.of_samples(x, y).as_dict().items()},
    }
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
    save_npz_atomic(path, arrays)


def load_dataset(path) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and labels of a stored training set, as ``(x, y)``, each shape (n,).

    Raises FileNotFoundError or ValueError, each saying ``PATH is not a dataset .npz with
    arrays x and y: <why>`` (missing, truncated, another format, pickled, wrong arrays).
    """
    what = f"{path} is not a dataset .npz with arrays x and y"
    try:
        data = load_npz(path)
    except FileNotFoundError as err:
        raise FileNotFoundError(f"{what}: {str(err).removeprefix(f'{path}: ')}") from None
    except ValueError as err:
        raise ValueError(f"{what}: {str(err).removeprefix(f'{path}: ')}") from None
    for key in ("x", "y"):
        if key not in data:
            raise ValueError(f"{what}: no array {key!r} (it needs arrays x and y)")
        if data[key].dtype.kind not in "iuf":
            raise ValueError(f"{what}: {key} holds {data[key].dtype}, not real numbers")
    x, y = data["x"].astype(float), data["y"].astype(float)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError(
            f"{what}: x and y must be 1-d arrays of equal length >= 2, got shapes "
            f"{x.shape} and {y.shape}"
        )
    bad = int(np.count_nonzero(~np.isfinite(x)) + np.count_nonzero(~np.isfinite(y)))
    if bad:
        raise ValueError(f"{what}: {bad} of its values are nan or infinite")
    return x, y


def save_csv_atomic(path, columns: dict, header_comment: str = "") -> None:
    """Columns of equal length as CSV, with optional ``#`` comment lines first."""
    names = list(columns)
    table = np.column_stack([np.asarray(columns[n], dtype=float) for n in names])
    with atomic_open(path, "w") as f:
        for line in header_comment.splitlines():
            f.write(f"# {line}\n")
        f.write(",".join(names) + "\n")
        np.savetxt(f, table, delimiter=",", fmt="%.10g")


def save_rows_atomic(path, rows: list[dict]) -> None:
    """Records with the same keys (numbers and text) as CSV, one per line."""
    with atomic_open(path, "w") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def load_benchmarks(directory) -> dict[str, float]:
    """Wall seconds of every job with a Snakemake ``benchmark:`` file under ``directory``, in
    the rules' folders (files at its top level, such as ``measured_runtimes.tsv``, are not a
    job's).

    Returns
    -------
    dict of float
        ``<rule folder>/<wildcards>`` (the file's path under ``directory`` without ``.tsv``,
        e.g. ``train/tail_D1/part0``) -> column ``s`` of its last row, in path order.
    """
    seconds = {}
    for path in sorted(Path(directory).glob("*/**/*.tsv")):
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        seconds[path.relative_to(directory).with_suffix("").as_posix()] = float(rows[-1]["s"])
    return seconds


def save_runtimes_atomic(path, seconds: dict[str, float], header_comment: str) -> None:
    """Job -> wall seconds as a two-column TSV, after ``#`` comment lines (``load_runtimes``)."""
    with atomic_open(path, "w") as f:
        for line in header_comment.splitlines():
            f.write(f"# {line}\n")
        f.write("job\tseconds\n")
        f.writelines(f"{job}\t{s:.2f}\n" for job, s in seconds.items())


def load_runtimes(path) -> dict[str, float]:
    """Job -> wall seconds from a file ``save_runtimes_atomic`` wrote."""
    with open(path, newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return {row["job"]: float(row["seconds"]) for row in csv.DictReader(lines, delimiter="\t")}


def save_theory(path, density: StationaryDensity | None, meta: dict) -> None:
    """A tabulated stationary density (None if none exists), with ``meta`` as JSON."""
    arrays = {}
    if density is not None:
        arrays = {"log_s": density.log_s, "sides": np.array(density.sides)}
        for side in density.sides:
            arrays[f"log_pdf_{side:+d}"] = density.log_pdf[side]
            arrays[f"cum_mass_{side:+d}"] = density.cum_mass[side]
            arrays[f"mass_below_{side:+d}"] = np.float64(density.mass_below[side])
            arrays[f"tail_slope_{side:+d}"] = np.float64(density.tail_slope[side])
        meta = {
            "depth": density.depth,
            "temperature": density.temperature,
            "width": density.width,
        } | meta
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True, default=_jsonable))
    save_npz_atomic(path, arrays)


def load_theory(path) -> tuple[StationaryDensity | None, dict]:
    """The density saved by ``save_theory`` (None if none exists) and its metadata."""
    a = load_npz(path)
    meta = json.loads(str(a["meta"]))
    if "log_s" not in a:
        return None, meta
    sides = tuple(int(s) for s in a["sides"])

    def per_side(name):
        return {s: a[f"{name}_{s:+d}"] for s in sides}

    density = StationaryDensity(
        depth=meta["depth"],
        temperature=meta["temperature"],
        width=meta["width"],
        sides=sides,
        log_s=a["log_s"],
        log_pdf=per_side("log_pdf"),
        mass_below={s: float(m) for s, m in per_side("mass_below").items()},
        cum_mass=per_side("cum_mass"),
        tail_slope={s: float(m) for s, m in per_side("tail_slope").items()},
    )
    return density, meta


def save_png_scaled(source, path, max_width: int) -> tuple[int, int]:
    """Copy the PNG ``source`` to ``path``, shrunk to at most ``max_width`` pixels wide.

    For the docs pages, which show the build's figures: the 200 dpi originals are larger than
    a page column needs. The copy keeps 256 colours (a line plot has few; without dithering,
    so flat areas stay flat), a third to a half of the bytes. Returns the new
    ``(width, height)`` in pixels. No text chunks are copied: the same source gives the same
    bytes.
    """
    from PIL import Image

    with Image.open(source) as image:
        image = image.convert("RGB")
        if image.width > max_width:
            height = round(image.height * max_width / image.width)
            image = image.resize((max_width, height), Image.Resampling.LANCZOS)
        image = image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        with atomic_open(path, "wb") as f:
            image.save(f, format="PNG", optimize=True)
        return image.size
