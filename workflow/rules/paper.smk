localrules:
    paper_macros,


# Numbers for a write-up and the runtime table, generated from the DAG's own records.
rule paper_macros:
    input:
        claims=expand("results/claims/{claim}.json", claim=CLAIMS),
        measurements=expand("results/measurements/{m}.json", m=MEASUREMENTS),
        verified="results/verify.txt",
    output:
        macros="results/paper/macros.tex",
        runtimes="results/paper/runtimes.md",
    log:
        "logs/paper/macros.log",
    conda:
        "../envs/sgdbalance.yaml"
    script:
        "../../scripts/paper.py"
