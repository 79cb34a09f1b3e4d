rule train:
    input:
        experiment_dataset,
    output:
        "results/train/{experiment}.npz",
    log:
        "logs/train/{experiment}.log",
    benchmark:
        "benchmarks/train/{experiment}.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    threads: 2
    resources:
        runtime=60,
        mem_mb=2000,
    params:
        experiment=experiment_spec,
    script:
        "../../scripts/train.py"
