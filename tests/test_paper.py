from sgdbalance.artifact import paper


def test_macro_names_are_letters_only_and_follow_the_record_names():
    assert paper.macro_name("check", "density_T005_D0", "value") == (
        "checkDensityTZeroZeroFiveDZeroValue"
    )
    assert paper.macro_name("claim", "law_of_balance", "verdict").isalpha()


def test_tex_numbers():
    assert paper.tex_number(0.0013284) == "0.001328"
    assert paper.tex_number(3.2e-5) == "3.2\\times 10^{-5}"
    assert paper.tex_number(None) == "--"


def test_macros_cover_every_check_and_measurement():
    claims = [
        {
            "claim": "law_of_balance",
            "verdict": "PASS",
            "check_records": {
                "discrete_identity": {
                    "value": 1.5,
                    "tolerance": 8.0,
                    "n": 10,
                    "details": {"kappa": 2.5, "label": "x"},
                }
            },
        }
    ]
    text = paper.tex_macros(claims, {"finite_step_T005_D0": {"ks_distance": 0.036, "x": "a"}})
    assert "\\newcommand{\\claimLawOfBalanceVerdict}{PASS}" in text
    assert "\\newcommand{\\checkDiscreteIdentityTolerance}{8}" in text
    assert "\\newcommand{\\measuredFiniteStepTZeroZeroFiveDZeroKsDistance}{0.036}" in text
    assert "\\newcommand{\\checkDiscreteIdentityKappa}{2.5}" in text  # a fitted exponent
    assert text.count("\\newcommand") == 6  # strings other than verdicts are not numbers


def test_macros_number_the_rows_of_a_table_in_the_details():
    claims = [
        {
            "claim": "kesten_tails",
            "verdict": "PASS",
            "check_records": {
                "kesten_tails_S4": {
                    "value": 1.0,
                    "tolerance": 4.0,
                    "n": 2,
                    "details": {
                        "thresholds": [0.19, 0.46],
                        "per_point": [{"hill": 1.26, "tag": "a"}, {"hill": 2.44}],
                    },
                }
            },
        }
    ]
    text = paper.tex_macros(claims, {"m": {"per_batch": [{"batch": 4, "thresholds": [0.1]}]}})
    assert "\\newcommand{\\checkKestenTailsSFourPerPointTwoHill}{2.44}" in text
    assert "\\newcommand{\\checkKestenTailsSFourThresholds}{0.19, 0.46}" in text
    assert "\\newcommand{\\measuredMPerBatchOneThresholds}{0.1}" in text
    names = [line.split("}")[0] for line in text.splitlines() if "newcommand" in line]
    assert len(names) == len(set(names)) == 9


def test_runtime_table_sums_stages():
    table = paper.runtime_table(
        {"benchmarks/train/a/part0.tsv": 10.0, "benchmarks/checks/b.tsv": 2.0}
    )
    assert "| run | 1 | 10 |" in table and "| analysis | 1 | 2 |" in table


def test_splice_replaces_only_between_markers():
    text = "a\n<!-- t:begin -->\nold\n<!-- t:end -->\nb\n"
    assert paper.splice(text, "t", "new\n") == "a\n<!-- t:begin -->\nnew\n<!-- t:end -->\nb\n"


def test_claims_summary_has_a_row_per_claim():
    claims = [
        {
            "claim": "c",
            "paper": "Thm 1",
            "verdict": "PASS",
            "figure": "fig1",
            "check_records": {"k": {"value": 0.5, "tolerance": 1.0}},
        }
    ]
    assert "| `c` | Thm 1 | PASS | `k` 0.5 / 1 | fig1 |" in paper.claims_summary(claims)


def test_checks_table_has_a_row_per_check():
    claims = [
        {
            "claim": "c",
            "verdict": "FAIL",
            "check_records": {
                "k": {"value": 0.5, "tolerance": 1.0, "passed": True},
                "j": {"value": 2.0, "tolerance": 1.0, "passed": False},
            },
        }
    ]
    table = paper.checks_table(claims)
    assert "| `c` (FAIL) | `k` | 0.5 | 1 | PASS |" in table
    assert "|  | `j` | 2 | 1 | FAIL |" in table


def test_claims_overview_counts_passed_checks():
    claims = [
        {
            "claim": "c",
            "paper": "Thm 1",
            "verdict": "FAIL",
            "figure": None,
            "check_records": {"k": {"passed": True}, "j": {"passed": False}},
        }
    ]
    assert "| `c` | Thm 1 | **FAIL** | 1 of 2 | - |" in paper.claims_overview(claims)


def test_rst_table_keeps_every_cell():
    markdown = "| a | b |\n|---|---|\n| `x` | 1 |\n| y | |\n| - | -3 |\n\n| c |\n|---|\n| 2 |\n"
    text = paper.rst_table(markdown)
    assert text.count(".. list-table::") == 2
    assert "   * - `x`\n     - 1\n" in text and "   * - y\n     - ..\n" in text
    assert "   * - \\-\n     - -3\n" in text  # a lone "-" is text, not a list item
    assert "   * - c\n   * - 2\n" in text


def test_readme_writes_the_readme_and_the_docs_parts(tmp_path):
    """``sgdbalance readme`` on a finished build: the README's claims block, the docs' generated
    pages labelled with the build's commit and date, and the figures shrunk for a page."""
    from argparse import Namespace

    from PIL import Image

    from sgdbalance.artifact import io
    from sgdbalance.cli.provenance import DOCS_FIGURE_WIDTH, cmd_readme

    results = tmp_path / "results"
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "claims.yaml").write_text("claims:\n  c: {}\n")
    readme = tmp_path / "README.md"
    readme.write_text("head\n<!-- claims:begin -->\nold\n<!-- claims:end -->\ntail\n")
    record = {"claim": "c", "paper": "Thm 1", "verdict": "PASS", "figure": "fig1"}
    record["check_records"] = {"k": {"value": 0.5, "tolerance": 1.0, "passed": True}}
    io.save_json_atomic(results / "claims" / "c.json", record)
    (results / "paper").mkdir()
    (results / "paper" / "runtimes.md").write_text("| stage | s |\n|---|---|\n| run | 3 |\n")
    manifest = {"git": {"commit": "abcdef1234", "dirty": False}, "versions": {"python": "3.11"}}
    manifest["configs"] = {"config/config.yaml": "0", "config/claims.yaml": "1"}
    io.save_json_atomic(results / "manifest.json", manifest)
    (results / "figures").mkdir()
    Image.new("RGB", (2 * DOCS_FIGURE_WIDTH, 400), "white").save(results / "figures" / "f.png")

    args = Namespace(results=str(results), readme=str(readme), docs=None)
    assert cmd_readme(args) == 0
    text = readme.read_text()
    assert text.startswith("head\n<!-- claims:begin -->\nFrom the build of commit abcdef1 on ")
    assert "| `c` | Thm 1 | **PASS** | 1 of 1 | fig1 |" in text and "old" not in text
    generated = tmp_path / "docs" / "generated"
    claims_page = (generated / "claims.rst").read_text()
    assert "   * - `c` (PASS)\n     - `k`\n     - 0.5\n     - 1\n     - PASS\n" in claims_page
    assert "   * - run\n     - 3\n" in (generated / "runtimes.rst").read_text()
    assert "commit abcdef1" in (generated / "build.rst").read_text()
    with Image.open(tmp_path / "docs" / "figures" / "f.png") as image:
        assert image.size == (DOCS_FIGURE_WIDTH, 200)
