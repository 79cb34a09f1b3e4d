localrules:
    claim,
    verify,


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
        ),
        summary="results/verify.txt",
    log:
        "logs/verify.log",
    conda:
        "../envs/sgdbalance.yaml"
    script:
        "../../scripts/verify.py"
