import os
from pathlib import Path


localrules:
    article,


# The figure files, the rules that draw them and the targets that build them, read from the
# rules defined above (figures.smk): a figure added there appears in the article by itself.
def figure_sources():
    """Each figure of config ``figures:`` with the script that draws it and the target rule
    (``fig5``) that builds it, in the order of the config."""
    drawn, targets = {}, {}
    for rule in workflow.rules:
        outputs = [str(f) for f in rule.output]
        inputs = [str(f) for f in rule.input]
        for fig in FIGURES:
            pdf = f"results/figures/{fig}.pdf"
            if pdf in outputs and rule.script:
                script = Path(rule.snakefile).parent / rule.script
                drawn[fig] = os.path.relpath(script.resolve(), workflow.basedir)
            if pdf in inputs and not rule.output and rule.name != "all":
                targets[fig] = rule.name
    return {
        fig: {"script": drawn.get(fig), "target": targets.get(fig, fig)}
        for fig in FIGURES
    }


def config_overlays():
    """The config files given over config/config.yaml (``--configfile config/quick.yaml``)."""
    base = Path(workflow.basedir, "config", "config.yaml").resolve()
    return [
        os.path.relpath(Path(f).resolve(), workflow.basedir)
        for f in workflow.configfiles
        if Path(f).resolve() != base
    ]


# The reproduction as one PDF, compiled by Typst from workflow/article/article.typ: every
# number in it is read from the result files below at compile time.
rule article:
    input:
        source=f"{workflow.basedir}/workflow/article/article.typ",
        claims=expand("results/claims/{claim}.json", claim=CLAIMS),
        checks=expand("results/checks/{check}.json", check=CHECKS),
        measurements=expand("results/measurements/{m}.json", m=MEASUREMENTS),
        figures=expand("results/figures/{fig}.pdf", fig=FIGURES),
        tables=expand("results/tables/{table}.csv", table=TABLES),
        runtimes="results/paper/runtimes.md",
        verified="results/verify.txt",
    output:
        pdf=report(
            "results/article.pdf",
            caption="../report/article.rst",
            category="Article",
            subcategory="The reproduction as one paper",
        ),
        inputs="results/article/inputs.json",
    log:
        "logs/article.log",
    benchmark:
        "benchmarks/article.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    params:
        registry=REGISTRY,
        figures=figure_sources(),
        overlays=config_overlays(),
        configs=[str(f) for f in workflow.configfiles]
        + [config.get("claims_file", f"{workflow.basedir}/config/claims.yaml")],
        root=workflow.basedir,
    script:
        "../../scripts/article.py"
