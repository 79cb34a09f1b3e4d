"""The reproduction as one PDF: the article's inputs, and its compilation by Typst.

The article's source (``workflow/article/article.typ``) holds the prose and no number: it reads
every verdict, statistic, tolerance, measurement and table row from the result files at compile
time. This module gathers what the result files do not hold (the claims registry in its order,
where each figure goes, the command that rebuilds it, the commit and versions) into one
``inputs.json``, stages the source with the result files it reads in a folder of its own (Typst
reads files only under its root), and compiles it with Typst's own fonts, no system font and no
date, so that the same results give the same bytes.
"""

import json
import math
import re
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

from . import io, provenance

# What the article reads, relative to ``results/``: copied into the staging folder.
READS = (
    "claims/*.json",
    "checks/*.json",
    "measurements/*.json",
    "tables/*.csv",
    "figures/*.pdf",
    "paper/runtimes.md",
    "verify.txt",
)
# The packages whose versions the provenance section lists, beside provenance.PACKAGES.
ARTICLE_PACKAGES = ("typst",)


def figure_title(caption: str) -> str:
    """The bold lead of a report caption (``**Law of balance** (paper Fig. 1) ...``), as plain
    text: the figure's title, written once, in ``workflow/report/<fig>.rst``."""
    match = re.search(r"\*\*(.+?)\*\*", caption, re.DOTALL)
    return " ".join((match[1] if match else "").split())


def paper_figure(caption: str) -> str:
    """The paper figure a report caption names (``paper Fig. 5, left`` -> ``Fig. 5, left``),
    else ``""`` (a figure beyond the paper)."""
    match = re.search(r"\(paper (Fig\. \d[^)]*)\)", caption)
    return " ".join(match[1].split()) if match else ""


def place_figures(claims: dict, figures: dict) -> dict:
    """Where each figure is shown: ``{claim id: [figure, ...]}`` in registry order.

    A claim shows the figures of its target (``figure: fig5`` -> the four files of Fig. 5) that
    no earlier claim showed. A target no claim names (``fig2``) goes with the claim that shows
    the target before it in the config's figure order, or with the first claim.
    ``figures``: ``{figure: {"target": rule name, ...}}`` in config order.
    """
    order = list(dict.fromkeys(spec["target"] for spec in figures.values()))
    files = {t: [f for f, spec in figures.items() if spec["target"] == t] for t in order}
    placed = {claim: [] for claim in claims}
    home = {}  # target -> the claim that shows it
    for claim, spec in claims.items():
        target = spec.get("figure")
        if target in files and target not in home:
            home[target] = claim
    if not placed:
        return placed
    for i, target in enumerate(order):
        if target not in home:
            before = [home[t] for t in order[:i] if t in home]
            home[target] = before[-1] if before else next(iter(claims))
        placed[home[target]] += files[target]
    return placed


def rebuild_command(target: str, overlays: list[str]) -> str:
    """The one command that rebuilds ``target`` (a file under ``results/``) in this config."""
    options = "".join(f" --configfile {name}" for name in overlays)
    return f".venv/bin/snakemake --cores 2{options} {target}"


def inputs(registry: dict, config: dict, figures: dict, captions: dict, overlays, configs, root):
    """Everything the article reads besides the result files.

    ``registry``: the claims registry (``{"claims": {id: spec}}``); ``config``: the merged
    config; ``figures``: ``{figure: {"script": path, "target": rule}}`` in config order;
    ``captions``: ``{figure: report caption text}``; ``overlays``: config files given over
    ``config/config.yaml``; ``configs``: every config file read (digests); ``root``: the
    checkout (commit, whether it had uncommitted changes).
    """
    claims = registry["claims"]
    placed = place_figures(claims, figures)
    versions = provenance.package_versions()
    for name in ARTICLE_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "format": 1,
        "reduced": bool(overlays),
        "overlays": list(overlays),
        "build_command": "make" if not overlays else "make quick",
        "article_command": rebuild_command("results/article.pdf", overlays),
        "claims": [{"id": name, **spec, "show": placed[name]} for name, spec in claims.items()],
        "figure_order": list(figures),  # a JSON object's keys may be sorted when written
        "figures": {
            name: {
                "title": figure_title(captions.get(name, "")) or name,
                "paper": paper_figure(captions.get(name, "")),
                "script": spec["script"],
                "target": spec["target"],
                "file": f"results/figures/{name}.pdf",
                "command": rebuild_command(f"results/figures/{name}.pdf", overlays),
            }
            for name, spec in figures.items()
        },
        "checks": list(config.get("checks", {})),
        "measurements": list(config.get("measurements", {})),
        "tables": list(config.get("tables", {})),
        "config": config,
        "git": provenance.git_state(root),
        "versions": versions,
        "configs": {provenance._shown(p, root): provenance.sha256_file(p) for p in configs},
        "seeds": len(provenance.find_seeds(config)),
    }


def strict_json(value):
    """``value`` with every non-finite float as the string ``"inf"``, ``"-inf"`` or ``"nan"``:
    the result files are written by Python, whose JSON allows ``Infinity`` and ``NaN``, which
    Typst's JSON reader (like the standard) refuses."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict_json(v) for v in value]
    return value


def stage(results_dir, folder, source, record: dict) -> Path:
    """Copy the source and the result files it reads into ``folder``, beside ``inputs.json``
    holding ``record``; returns the source's path there. JSON files are copied value for value
    as strict JSON (``strict_json``); the others byte for byte."""
    results_dir, folder = Path(results_dir), Path(folder)
    for pattern in READS:
        for path in sorted(results_dir.glob(pattern)):
            target = folder / "results" / path.relative_to(results_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".json":
                data = strict_json(json.loads(path.read_text()))
                target.write_text(json.dumps(data, allow_nan=False))
            else:
                shutil.copyfile(path, target)
    inputs = json.dumps(strict_json(record), indent=1, sort_keys=True, allow_nan=False)
    (folder / "inputs.json").write_text(inputs)
    main = folder / "article.typ"
    shutil.copyfile(source, main)
    return main


def compile_pdf(main, *, format="pdf", ppi=None):
    """Compile a staged article with Typst's own fonts (none from the system) and no date.

    Returns the PDF's bytes (``format="png"``: a list of each page's PNG bytes) and Typst's
    warnings as strings.
    """
    import typst

    data, warnings = typst.compile_with_warnings(
        str(main),
        root=str(Path(main).parent),
        ignore_system_fonts=True,
        format=format,
        ppi=ppi,
        pdf_tags=False,
    )
    if format == "png" and isinstance(data, bytes):
        data = [data]
    return data, [w.message for w in warnings]


def build(results_dir, source, record: dict, out, *, format="pdf", ppi=None) -> list[str]:
    """Stage ``source`` with ``results_dir``'s files in a temporary folder, compile it, and
    write the PDF atomically to ``out`` (``format="png"``: ``out`` is a folder, one
    ``page-<n>.png`` per page). Returns Typst's warnings."""
    with tempfile.TemporaryDirectory(prefix="article-") as folder:
        main = stage(results_dir, folder, source, record)
        data, warnings = compile_pdf(main, format=format, ppi=ppi)
    if format == "png":
        Path(out).mkdir(parents=True, exist_ok=True)
        for i, page in enumerate(data, start=1):
            (Path(out) / f"page-{i:02d}.png").write_bytes(page)
    else:
        with io.atomic_open(out, "wb") as f:
            f.write(data)
    return warnings
