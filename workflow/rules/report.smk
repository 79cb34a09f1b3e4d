localrules:
    verify,


rule verify:
    input:
        expand("results/checks/{check}.json", check=CHECKS),
    output:
        "results/verify.txt",
    log:
        "logs/verify.log",
    conda:
        "../envs/sgdbalance.yaml"
    script:
        "../../scripts/verify.py"
