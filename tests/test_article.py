"""The article: where its figures go, and that every number in it is read from the result files
it is compiled against (a small results tree written here), never typed."""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from sgdbalance.artifact import article  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "workflow" / "article" / "article.typ"

FIGURES = {  # config order: a target with two files, one no claim names, one beyond the paper
    "figA": {"script": "scripts/figA.py", "target": "figA"},
    "figA_right": {"script": "scripts/figA_right.py", "target": "figA"},
    "figB": {"script": "scripts/figB.py", "target": "figB"},
    "figC": {"script": "scripts/figC.py", "target": "figC"},
}
CAPTIONS = {
    "figA": "**Balance of the layers** (paper Fig. 1) on ``l = (u w x - y)^2``.",
    "figA_right": "**The right panel** (paper Fig. 1,\nright).",
    "figB": "**Noise balance** (paper Fig. 2).",
    "figC": "**A finding of ours** (beyond the paper).",
}
REGISTRY = {
    "claims": {
        "balance_claim": {
            "statement": "The imbalance decays.",
            "paper": "Thm 1",
            "figure": "figA",
            "checks": ["decay_check"],
        },
        "density_claim": {
            "statement": "The density is the theorem's.",
            "paper": "Thm 4.2",
            "figure": "figA",
            "checks": ["density_check"],
        },
        "beyond_claim": {
            "statement": "Discrete SGD collapses elsewhere.",
            "paper": "derived",
            "figure": None,
            "checks": [],
            "not_checked": "Nothing checks this yet.",
        },
    }
}


def check_record(value, passed=True):
    return {
        "claim": "a claim",
        "statistic": "|measured - predicted|",
        "value": value,
        "tolerance": 0.125,
        "tolerance_source": "4 standard errors at n = 512",
        "n": 512,
        "seed": 7,
        "passed": passed,
        "details": {},
    }


def write_results(results: Path) -> dict:
    """A results tree as the workflow writes it (claims, checks, a measurement, Table 1,
    figures, runtimes), and the article's inputs for it."""
    checks = {"decay_check": check_record(0.0625), "density_check": check_record(0.03125)}
    # Python's JSON writes Infinity, which strict JSON (and Typst) refuses: staging converts it.
    checks["density_check"]["details"]["theory_std"] = float("inf")
    for name, record in checks.items():
        (results / "checks").mkdir(parents=True, exist_ok=True)
        (results / "checks" / f"{name}.json").write_text(json.dumps(record))
    (results / "claims").mkdir()
    for name, spec in REGISTRY["claims"].items():
        verdict = "PASS" if spec["checks"] else "NOT CHECKED"
        records = {c: checks[c] for c in spec["checks"]}
        record = {"claim": name, **spec, "verdict": verdict, "check_records": records}
        (results / "claims" / f"{name}.json").write_text(json.dumps(record))
    (results / "measurements").mkdir()
    threshold = {
        "dataset": "example",
        "sgf_critical_temperature": 0.625,
        "modified_loss_critical_temperature": 0.5,
        "per_batch": [
            {"batch": 1, "thresholds": [0.4375, 0.8125]},
            {"batch": 4, "thresholds": []},
        ],
    }
    (results / "measurements" / "discrete_threshold_example.json").write_text(json.dumps(threshold))
    (results / "tables").mkdir()
    (results / "tables" / "table1.csv").write_text(
        "case,quantity,closed_form,quadrature,abs_diff,formula\n"
        '"D = 1, label noise",T_c,0.625,0.625,0.0,beta2 / alpha3\n'
        "D = 0 (linear regression),T_c,nan,nan,nan,none: no transition\n"
    )
    (results / "figures").mkdir()
    for name in FIGURES:
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1], [0, 1])
        fig.savefig(results / "figures" / f"{name}.pdf", metadata={"CreationDate": None})
        plt.close(fig)
    (results / "paper").mkdir()
    (results / "paper" / "runtimes.md").write_text(
        "| stage | jobs | CPU-side wall time, summed over jobs (s) |\n|---|---|---|\n"
        "| run | 3 | 12 |\n| analysis | 5 | 7 |\n\n| largest jobs | s |\n|---|---|\n"
        "| `train/x` | 9.5 |\n"
    )
    (results / "verify.txt").write_text("all 2 checks passed\n")
    config = {
        "datasets": {"example": {"n": 1000, "k": 0.5, "sigma": 0.5, "seed": 3}},
        "experiments": {},
        "checks": {name: {} for name in checks},
        "measurements": {"discrete_threshold_example": {}},
        "tables": {"table1": {}},
    }
    return config


def inputs(config, overlays=()):
    return article.inputs(
        REGISTRY, config, FIGURES, CAPTIONS, list(overlays), [ROOT / "config" / "claims.yaml"], ROOT
    )


def text_of(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_figure_title_and_paper_figure_come_from_the_report_caption():
    assert article.figure_title(CAPTIONS["figA"]) == "Balance of the layers"
    assert article.paper_figure(CAPTIONS["figA_right"]) == "Fig. 1, right"
    assert article.paper_figure(CAPTIONS["figC"]) == ""


def test_each_figure_is_shown_once_with_the_first_claim_of_its_target():
    placed = article.place_figures(REGISTRY["claims"], FIGURES)
    # figB's target is named by no claim: it follows figA, with the claim that shows figA;
    # figC comes after figB in the config, so it goes there too.
    assert placed == {
        "balance_claim": ["figA", "figA_right", "figB", "figC"],
        "density_claim": [],
        "beyond_claim": [],
    }


def test_strict_json_spells_out_non_finite_numbers():
    record = {"a": [1.0, float("inf")], "b": {"c": float("-inf"), "d": float("nan")}, "e": 2}
    strict = {"a": [1.0, "inf"], "b": {"c": "-inf", "d": "nan"}, "e": 2}
    assert article.strict_json(record) == strict


def test_rebuild_command_names_the_overlay():
    assert article.rebuild_command("results/figures/figA.pdf", []) == (
        ".venv/bin/snakemake --cores 2 results/figures/figA.pdf"
    )
    assert "--configfile config/quick.yaml results/x.pdf" in article.rebuild_command(
        "results/x.pdf", ["config/quick.yaml"]
    )


@pytest.fixture
def results(tmp_path):
    results = tmp_path / "results"
    return results, write_results(results)


def test_article_reads_its_numbers_from_the_result_files(results, tmp_path):
    results, config = results
    first = tmp_path / "first.pdf"
    assert article.build(results, SOURCE, inputs(config), first) == []
    text = text_of(first)
    for claim, verdict in (("balance_claim", "PASS"), ("beyond_claim", "NOT CHECKED")):
        assert claim in text and verdict in text
    assert "0.0625" in text and "0.0313" in text  # the check values, to 3 digits
    assert "(0.438, 0.813)" in text  # the measured collapse window, S = 1
    assert "REDUCED BUILD" not in text
    # Change one check's value and one measured threshold: the article follows the files.
    record = json.loads((results / "checks" / "decay_check.json").read_text())
    record["value"] = 0.0271
    (results / "checks" / "decay_check.json").write_text(json.dumps(record))
    measured = json.loads(
        (results / "measurements" / "discrete_threshold_example.json").read_text()
    )
    measured["per_batch"][0]["thresholds"] = [0.377, 0.911]
    (results / "measurements" / "discrete_threshold_example.json").write_text(json.dumps(measured))
    second = tmp_path / "second.pdf"
    article.build(results, SOURCE, inputs(config), second)
    changed = text_of(second)
    assert "0.0271" in changed and "0.0271" not in text
    assert "(0.377, 0.911)" in changed and "(0.438, 0.813)" not in changed


def test_article_shows_each_figure_with_its_command_and_script(results, tmp_path):
    results, config = results
    pdf = tmp_path / "article.pdf"
    article.build(results, SOURCE, inputs(config), pdf)
    text = "".join(text_of(pdf).split())  # a long line breaks anywhere: compare without spaces
    for name, spec in FIGURES.items():
        assert f"results/figures/{name}.pdf" in text and spec["script"] in text
    assert "Balanceofthelayers(paperFig.1)" in text


def test_a_reduced_build_says_so_on_its_first_page(results, tmp_path):
    results, config = results
    pdf = tmp_path / "article.pdf"
    article.build(results, SOURCE, inputs(config, ["config/quick.yaml"]), pdf)
    first_page = PdfReader(pdf).pages[0].extract_text()
    assert "REDUCED BUILD" in first_page and "not the paper-scale results" in first_page
    assert "config/quick.yaml" in first_page


def test_the_same_results_give_the_same_bytes(results, tmp_path):
    results, config = results
    one, two = tmp_path / "one.pdf", tmp_path / "two.pdf"
    article.build(results, SOURCE, inputs(config), one)
    article.build(results, SOURCE, inputs(config), two)
    assert one.read_bytes() == two.read_bytes()
    assert b"CreationDate" not in one.read_bytes()
