rule data:
    output:
        "results/data/{dataset}.npz",
    log:
        "logs/data/{dataset}.log",
    benchmark:
        "benchmarks/data/{dataset}.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    threads: 1
    resources:
        runtime=5,
        mem_mb=1000,
    params:
        dataset=dataset_spec,
    script:
        "../../scripts/data.py"
