localrules:
    article,


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
        "logs/article/article.log",
    benchmark:
        "benchmarks/article/article.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    params:
        registry=REGISTRY,
        figures=figure_sources(),
        overlays=config_overlays(),
        configs=[str(f) for f in workflow.configfiles]
        + [config.get("claims_file", f"{workflow.basedir}/config/claims.yaml")],
    script:
        "../../scripts/article.py"
