# sgd-balance: every theorem check and figure of Ziyin, Li & Ueda (arXiv 2308.06671).
# Stages: data -> train (SGD ensembles) -> theory (stationary densities) -> checks, figures
# -> verify -> article (results/article.pdf). `snakemake --cores 2` builds everything;
# `snakemake fig1` builds one figure.


# The paper-scale config; an overlay given with --configfile (config/quick.yaml) is merged onto it.


configfile: f"{workflow.basedir}/config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/theory.smk"
include: "workflow/rules/checks.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/paper.smk"
include: "workflow/rules/article.smk"


rule all:
    default_target: True
    input:
        "results/verify.txt",
        expand("results/measurements/{m}.json", m=MEASUREMENTS),
        expand("results/figures/{fig}.{ext}", fig=FIGURES, ext=["pdf", "png"]),
        expand("results/tables/{table}.csv", table=TABLES),
        "results/paper/macros.tex",
        "results/article.pdf",
        "results/manifest.json",
