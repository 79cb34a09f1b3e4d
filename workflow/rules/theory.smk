rule theory:
    input:
        experiment_dataset,
    output:
        "results/theory/{experiment}.npz",
    log:
        "logs/theory/{experiment}.log",
    benchmark:
        "benchmarks/theory/{experiment}.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    threads: 1
    resources:
        runtime=5,
        mem_mb=1000,
    params:
        experiment=experiment_spec,
    script:
        "../../scripts/theory.py"
