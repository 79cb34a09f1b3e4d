localrules:
    claim,
    verify,
    manifest,


rule claim:
    input:
        claim_checks,
    output:
        "results/claims/{claim}.json",
    log:
        "logs/claims/{claim}.log",
    conda:
        "../envs/sgdbalance.yaml"
    params:
        spec=claim_params,
    script:
        "../../scripts/claim.py"


rule verify:
    input:
        claims=expand("results/claims/{claim}.json", claim=CLAIMS),
        checks=expand("results/checks/{check}.json", check=CHECKS),
    output:
        table=report(
            "results/claims.md",
            caption="../report/claims.rst",
            category="Claims",
            subcategory="Every claim with its checks",
        ),
        summary="results/verify.txt",
    log:
        "logs/verify.log",
    conda:
        "../envs/sgdbalance.yaml"
    script:
        "../../scripts/verify.py"


# Last job of the DAG: its input is every target of rule all (keep the two lists equal).
rule manifest:
    input:
        "results/verify.txt",
        expand("results/measurements/{m}.json", m=MEASUREMENTS),
        expand("results/figures/{fig}.{ext}", fig=FIGURES, ext=["pdf", "png"]),
        expand("results/tables/{table}.csv", table=TABLES),
        "results/paper/macros.tex",
        "results/article.pdf",
    output:
        "results/manifest.json",
    log:
        "logs/manifest.log",
    conda:
        "../envs/sgdbalance.yaml"
    params:
        root=workflow.basedir,
        configs=[str(f) for f in workflow.configfiles] + [CLAIMS_FILE],
    script:
        "../../scripts/manifest.py"
