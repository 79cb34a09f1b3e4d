localrules:
    merge_parts,
    merge_network_parts,


# An experiment in one job (config key jobs: 1, the default) writes its ensemble directly; one
# split into k jobs writes k parts that merge_parts joins (the same bits either way).
rule train:
    input:
        experiment_dataset,
    output:
        "results/train/{experiment}.npz",
    log:
        "logs/train/{experiment}.log",
    benchmark:
        "benchmarks/train/{experiment}.tsv"
    wildcard_constraints:
        experiment="|".join(ONE_JOB_EXPERIMENTS) or "^$",
    conda:
        "../envs/sgdbalance.yaml"
    threads: job_resource("experiments", "threads")
    resources:
        runtime=job_resource("experiments", "runtime"),
        mem_mb=job_resource("experiments", "mem_mb"),
    params:
        experiment=experiment_spec,
        runs=part_range,
    script:
        "../../scripts/train.py"


use rule train as train_part with:
    output:
        "results/train/{experiment}/part{part}.npz",
    log:
        "logs/train/{experiment}/part{part}.log",
    benchmark:
        "benchmarks/train/{experiment}/part{part}.tsv"
    wildcard_constraints:
        experiment="|".join(SPLIT_EXPERIMENTS) or "^$",


rule merge_parts:
    input:
        experiment_parts,
    output:
        "results/train/{experiment}.npz",
    log:
        "logs/train/{experiment}/merge.log",
    wildcard_constraints:
        experiment="|".join(SPLIT_EXPERIMENTS) or "^$",
    conda:
        "../envs/sgdbalance.yaml"
    script:
        "../../scripts/merge_parts.py"


# A network in one job writes its statistics directly; one whose runs are split into k jobs
# (tanh and scaling kinds, config key jobs) writes k parts that merge_network_parts joins.
rule train_network:
    output:
        "results/networks/{network}.npz",
    log:
        "logs/networks/{network}.log",
    benchmark:
        "benchmarks/networks/{network}.tsv"
    wildcard_constraints:
        network="|".join(ONE_JOB_NETWORKS) or "^$",
    # Among the longest jobs (relu_gd, the scaling_digits parts: 20-45 s): started first.
    priority: 1
    conda:
        "../envs/sgdbalance.yaml"
    threads: job_resource("networks", "threads")
    resources:
        runtime=job_resource("networks", "runtime"),
        mem_mb=job_resource("networks", "mem_mb"),
    params:
        network=network_spec,
        runs=network_part_range,
    script:
        "../../scripts/train_network.py"


use rule train_network as train_network_part with:
    output:
        "results/networks/{network}/part{part}.npz",
    log:
        "logs/networks/{network}/part{part}.log",
    benchmark:
        "benchmarks/networks/{network}/part{part}.tsv"
    wildcard_constraints:
        network="|".join(SPLIT_NETWORKS) or "^$",


rule merge_network_parts:
    input:
        network_parts,
    output:
        "results/networks/{network}.npz",
    log:
        "logs/networks/{network}/merge.log",
    wildcard_constraints:
        network="|".join(SPLIT_NETWORKS) or "^$",
    conda:
        "../envs/sgdbalance.yaml"
    params:
        kind=lambda wildcards: network_spec(wildcards)["kind"],
    script:
        "../../scripts/merge_network_parts.py"


rule sweep:
    input:
        unpack(sweep_inputs),
    output:
        "results/sweeps/{sweep}.npz",
    log:
        "logs/sweeps/{sweep}.log",
    benchmark:
        "benchmarks/sweeps/{sweep}.tsv"
    # The longest jobs of the full build (kesten_S16, collapse_plane: 40-80 s) start first,
    # so that the short jobs fill the other core around them rather than after them.
    priority: 1
    conda:
        "../envs/sgdbalance.yaml"
    threads: job_resource("sweeps", "threads")
    resources:
        runtime=job_resource("sweeps", "runtime"),
        mem_mb=job_resource("sweeps", "mem_mb"),
    params:
        sweep=sweep_spec,
    script:
        "../../scripts/sweep.py"


rule adaptive:
    input:
        adaptive_dataset,
    output:
        "results/adaptive/{adaptive}.npz",
    log:
        "logs/adaptive/{adaptive}.log",
    benchmark:
        "benchmarks/adaptive/{adaptive}.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    threads: 1
    resources:
        runtime=10,
        mem_mb=1000,
    params:
        spec=adaptive_spec,
    script:
        "../../scripts/adaptive.py"


rule splitting:
    input:
        data=splitting_dataset,
    output:
        "results/splitting/{splitting}.npz",
    log:
        "logs/splitting/{splitting}.log",
    benchmark:
        "benchmarks/splitting/{splitting}.tsv"
    # At the head of a chain (tail checks, claim, figure 5), split_D0 up to 40 s: started
    # early, as the sweeps and networks are.
    priority: 1
    conda:
        "../envs/sgdbalance.yaml"
    threads: job_resource("splitting", "threads")
    resources:
        runtime=job_resource("splitting", "runtime"),
        mem_mb=job_resource("splitting", "mem_mb"),
    params:
        splitting=splitting_spec,
    script:
        "../../scripts/split.py"
