"""Provenance of a built ``results/`` tree: a manifest of checksums, its verification, and a
deterministic archive that restores byte for byte with the files' modification times.

The manifest (``results/manifest.json``, written by rule ``manifest``) records the git commit,
the Python and package versions, the sha256 of each config file, every seed of the config, and
the sha256 and size of every file under ``results/`` except itself and the report HTML. It holds
no timestamps: the same tree at the same commit gives the same manifest.
"""

import gzip
import hashlib
import json
import os
import platform
import shutil
import stat
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from decimal import Decimal
from importlib import metadata
from pathlib import Path

from . import io

MANIFEST = "manifest.json"
UNLISTED = {MANIFEST, "report.html"}  # top-level files of results/ that the manifest skips
PACKAGES = ("numpy", "scipy", "matplotlib", "pandas", "numba", "snakemake", "scikit-learn")
UNTRACKED_OUTPUTS = ("results/", "logs/", "benchmarks/", ".snakemake/")  # gitignored outputs
PREFIX = "results"  # the one top-level directory of an archive


def sha256_file(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def listed_files(results_dir) -> list[str]:
    """Relative paths (``/``-separated, sorted) of the files under ``results_dir`` that a
    manifest lists: all but ``manifest.json`` and ``report.html`` at its top."""
    root = Path(results_dir)
    paths = (p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return sorted(p for p in paths if p not in UNLISTED)


def file_table(results_dir) -> dict:
    """``{relative path: {"sha256": hex digest, "size": bytes}}`` of the listed files."""
    root = Path(results_dir)
    return {
        rel: {"sha256": sha256_file(root / rel), "size": (root / rel).stat().st_size}
        for rel in listed_files(root)
    }


def find_seeds(mapping, prefix: str = "") -> dict:
    """Every value under a key named ``seed``, keyed by its dotted path
    (``experiments.balance_sgd.seed``; list items by index)."""
    seeds = {}
    if isinstance(mapping, Mapping):
        items = ((str(k), v) for k, v in mapping.items())
    elif isinstance(mapping, list | tuple):
        items = ((str(i), v) for i, v in enumerate(mapping))
    else:
        return seeds
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else key
        if key == "seed":
            seeds[path] = value
        else:
            seeds |= find_seeds(value, path)
    return dict(sorted(seeds.items()))


def _git(root, *args) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout


def git_state(root) -> dict:
    """Commit of the checkout at ``root`` and whether tracked or untracked sources differ from
    it (outputs under results/, logs/, benchmarks/ and .snakemake/ do not count); ``None`` for
    both outside a git checkout."""
    commit = _git(root, "rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None, "changes": []}
    status = _git(root, "status", "--porcelain") or ""
    changes = sorted(
        line[3:] for line in status.splitlines() if not line[3:].startswith(UNTRACKED_OUTPUTS)
    )
    return {"commit": commit.strip(), "dirty": bool(changes), "changes": changes}


def package_versions() -> dict:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _shown(path, root) -> str:
    """``path`` relative to ``root`` when inside it (as recorded in a manifest), else absolute."""
    path = Path(path).resolve()
    try:
        return path.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


def manifest(root, results_dir, config_paths, config: Mapping | None = None) -> dict:
    """The manifest of ``results_dir``, built by the checkout at ``root`` from ``config_paths``
    (config files, e.g. ``config/quick.yaml`` and ``config/claims.yaml``).

    Seeds are read from ``config`` (the merged config mapping) when given, else from the config
    files. Everything but ``git`` is a function of the files and the environment.
    """
    if config is None:
        import yaml

        config = {}
        for path in config_paths:
            with open(path) as f:
                config |= yaml.safe_load(f) or {}
    return {
        "format": 1,
        "git": git_state(root),
        "versions": package_versions(),
        "configs": {_shown(p, root): sha256_file(p) for p in config_paths},
        "seeds": find_seeds(config),
        "files": file_table(results_dir),
    }


def file_differences(results_dir, record: dict) -> list[str]:
    """One message per file that is missing, changed, or not in the manifest ``record``."""
    root = Path(results_dir)
    problems = []
    for rel, want in record["files"].items():
        path = root / rel
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif (size := path.stat().st_size) != want["size"]:
            problems.append(f"{path}: changed ({size} bytes, manifest {want['size']})")
        elif (digest := sha256_file(path)) != want["sha256"]:
            listed = want["sha256"][:12]
            problems.append(f"{path}: changed (sha256 {digest[:12]}..., manifest {listed}...)")
    extra = [rel for rel in listed_files(root) if rel not in record["files"]]
    return problems + [f"{root / rel}: not in the manifest" for rel in extra]


def config_differences(root, record: dict) -> list[str]:
    """One message per config file of the manifest that is missing or changed under ``root``."""
    problems = []
    for name, want in record["configs"].items():
        path = Path(root) / name  # an absolute name stays absolute
        if not path.is_file():
            problems.append(f"{path}: config file missing (the results were built with it)")
        elif sha256_file(path) != want:
            problems.append(f"{path}: config changed since the results were built")
    return problems


def claim_records(results_dir) -> list[dict]:
    """The claim records ``claims/*.json`` of ``results_dir``, sorted by file name."""
    return [io.load_json(p) for p in sorted(Path(results_dir).glob("claims/*.json"))]


def failed_claims(results_dir) -> list[str]:
    """One message per claim whose verdict is FAIL, naming its failed checks."""
    problems = []
    for r in claim_records(results_dir):
        if r.get("verdict") == "FAIL":
            failed = [n for n, c in r.get("check_records", {}).items() if not c.get("passed")]
            problems.append(f"claim {r['claim']}: FAIL (failed checks: {', '.join(failed)})")
    return problems


def verify(results_dir, record: dict, root=None) -> list[str]:
    """Differences between ``results_dir`` and its manifest ``record`` (missing, changed and
    extra files), then every failed claim; with ``root``, also config files that changed since.
    Empty when everything matches."""
    problems = file_differences(results_dir, record)
    if root is not None:
        problems += config_differences(root, record)
    return problems + failed_claims(results_dir)


def claim_lines(records: list[dict]) -> list[str]:
    """Each claim's verdict, then each of its checks: statistic = value (tolerance)."""
    lines = []
    for r in records:
        lines.append(f"{r['verdict']:<11} {r['claim']}")
        for name, c in r.get("check_records", {}).items():
            verdict = "PASS" if c["passed"] else "FAIL"
            lines.append(
                f"    {verdict}  {name}: {c['statistic']} = {c['value']:.4g} "
                f"(tolerance {c['tolerance']:.4g})"
            )
    return lines


def archive(results_dir, manifest_path, out_path) -> int:
    """Pack the files of ``results_dir`` that its manifest lists, and the manifest, into the
    .tar.gz ``out_path`` under ``results/``; return the number of files.

    Members come oldest first (ties by path), so even an unpacker that drops modification times
    writes every input before its outputs; each member carries its mtime to the nanosecond (pax
    header) and its permission bits (so a group-readable tree restores group-readable). Owners
    and the gzip header are fixed: the same tree gives the same bytes. The archive itself gets
    the mode the umask gives a new file. Refuses (ValueError) when the files no longer match
    the manifest.
    """
    root, manifest_path = Path(results_dir), Path(manifest_path)
    record = io.load_json(manifest_path)
    if problems := file_differences(root, record):
        raise ValueError(
            f"{root} no longer matches {manifest_path}; rebuild (make) first:\n  "
            + "\n  ".join(problems)
        )
    stats = {rel: (root / rel).stat() for rel in record["files"]}
    members = sorted(stats, key=lambda rel: (stats[rel].st_mtime_ns, rel))
    members.append(MANIFEST)  # under its own name, wherever it was read from
    stats[MANIFEST] = manifest_path.stat()
    sources = {rel: root / rel for rel in record["files"]} | {MANIFEST: manifest_path}
    with io.atomic_open(out_path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for rel in members:
                    info = tarfile.TarInfo(f"{PREFIX}/{rel}")
                    info.size, info.mode = stats[rel].st_size, stat.S_IMODE(stats[rel].st_mode)
                    seconds, nanos = divmod(stats[rel].st_mtime_ns, 10**9)
                    info.mtime = seconds
                    info.pax_headers = {"mtime": f"{seconds}.{nanos:09d}"}
                    with open(sources[rel], "rb") as f:
                        tar.addfile(info, f)
    return len(members)


def _checked(member: tarfile.TarInfo) -> tarfile.TarInfo:
    parts = Path(member.name).parts
    outside = Path(member.name).is_absolute() or ".." in parts or parts[:1] != (PREFIX,)
    if outside or not (member.isfile() or member.isdir()):
        raise ValueError(f"{member.name}: not a file under {PREFIX}/; not a results archive")
    return member


def archive_manifest(archive_path) -> dict:
    """The manifest packed in an archive written by ``archive``."""
    try:
        with tarfile.open(archive_path, "r:gz") as tar:
            return json.load(tar.extractfile(f"{PREFIX}/{MANIFEST}"))
    except KeyError:
        raise ValueError(f"{archive_path}: no {PREFIX}/{MANIFEST} in the archive") from None
    except tarfile.TarError as err:
        raise ValueError(f"{archive_path}: not a .tar.gz archive ({err})") from None


def restore(archive_path, dest_root) -> list[str]:
    """Unpack an archive into ``dest_root/results`` with each file's mtime to the nanosecond,
    and return ``verify`` of the unpacked tree against its packed manifest (with the config
    files under ``dest_root``).

    Files are unpacked into a temporary directory beside the target and moved into place in
    one rename, so an interrupted restore leaves no half tree. Each file gets the permission
    bits it was packed with (and owner read and write), less the umask, as ``tar`` does for a
    user; directories get the umask's. Refuses (FileExistsError) when ``dest_root/results`` exists.
    """
    dest_root = Path(dest_root)
    target = dest_root / PREFIX
    if target.exists():
        raise FileExistsError(f"{target} exists; move it away before restoring into it")
    dest_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest_root, prefix=".results.restore-"))
    safety = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    umask = io.current_umask()
    try:
        stamps, modes = {}, {}
        with tarfile.open(archive_path, "r:gz") as tar:
            for member in tar:  # one pass over the stream
                if _checked(member).isfile():
                    tar.extract(member, tmp, **safety)
                    stamps[member.name] = member.pax_headers.get("mtime")
                    modes[member.name] = (member.mode | 0o600) & 0o777 & ~umask
        for name, stamp in stamps.items():  # tarfile sets float seconds; pax has nanoseconds
            # The "data" filter drops group and other write bits: set the packed mode again.
            os.chmod(tmp / name, modes[name])
            if stamp is not None:
                ns = int(Decimal(stamp) * 10**9)
                os.utime(tmp / name, ns=(ns, ns))
        unpacked = tmp / PREFIX
        if not (unpacked / MANIFEST).is_file():
            raise ValueError(f"{archive_path}: no {PREFIX}/{MANIFEST} in the archive")
        record = io.load_json(unpacked / MANIFEST)
        problems = verify(unpacked, record, root=dest_root)
        os.rename(unpacked, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [p.replace(str(unpacked), str(target)) for p in problems]
