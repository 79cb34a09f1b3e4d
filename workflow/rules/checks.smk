# A check reads statistics that the compute jobs wrote and takes a second or a few: on a
# cluster, its queueing and status polling would cost more than the check itself.
localrules:
    check,
    checks,
    measurements,


rule check:
    input:
        unpack(check_inputs),
    output:
        "results/checks/{check}.json",
    log:
        "logs/checks/{check}.log",
    benchmark:
        "benchmarks/checks/{check}.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    threads: 1
    resources:
        runtime=10,
        mem_mb=2000,
    params:
        spec=check_spec,
    script:
        "../../scripts/check.py"


rule checks:
    input:
        expand("results/checks/{check}.json", check=CHECKS),


rule measure:
    input:
        unpack(measurement_inputs),
    output:
        "results/measurements/{measurement}.json",
    log:
        "logs/measurements/{measurement}.log",
    benchmark:
        "benchmarks/measurements/{measurement}.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    threads: 1
    resources:
        runtime=10,
        mem_mb=2000,
    params:
        spec=measurement_spec,
    script:
        "../../scripts/measure.py"


rule measurements:
    input:
        expand("results/measurements/{measurement}.json", measurement=MEASUREMENTS),
