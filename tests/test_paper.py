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
