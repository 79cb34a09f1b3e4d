localrules:
    paper_macros,


# Numbers for a write-up and the runtime table, generated from the DAG's own records. The
# figures and tables are inputs only so that every benchmarked job but the article's is done
# before the runtime table is read: without them a figure still rendering was left out of it
# in some builds and not in others.
rule paper_macros:
    input:
        claims=expand("results/claims/{claim}.json", claim=CLAIMS),
        measurements=expand("results/measurements/{m}.json", m=MEASUREMENTS),
        verified="results/verify.txt",
        figures=expand("results/figures/{fig}.{ext}", fig=FIGURES, ext=["pdf", "png"]),
        tables=expand("results/tables/{table}.csv", table=TABLES),
    output:
        macros="results/paper/macros.tex",
        runtimes="results/paper/runtimes.md",
    log:
        "logs/paper/macros.log",
    conda:
        "../envs/sgdbalance.yaml"
    script:
        "../../scripts/paper.py"
