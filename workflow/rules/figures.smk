localrules:
    fig1,
    fig1_render,
    fig2,
    fig2_render,
    fig3,
    fig3_render,
    fig3_tanh_render,
    fig4,
    fig4_render,
    fig5,
    fig5_scaling_render,
    fig5_diagonal_scaling_render,
    fig5_stability_render,
    table1,
    fig_collapse_plane_render,
    fig_kesten_render,
    fig_discrete,
    fig_momentum_render,
    fig_momentum,


rule fig1_render:
    input:
        runs=figure_inputs("fig1")["runs"],
        data=figure_inputs("fig1")["data"],
    output:
        pdf=report(
            "results/figures/fig1.pdf",
            caption="../report/fig1.rst",
            category="Fig. 1",
            subcategory="Law of balance: imbalance and trajectories",
        ),
        png="results/figures/fig1.png",
    log:
        "logs/figures/fig1.log",
    benchmark:
        "benchmarks/figures/fig1.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    params:
        figure=figure_params("fig1"),
    script:
        "../../scripts/fig1.py"


rule fig2_render:
    input:
        networks=figure_inputs("fig2")["networks"],
    output:
        pdf=report(
            "results/figures/fig2.pdf",
            caption="../report/fig2.rst",
            category="Fig. 2",
            subcategory="Noise balance in a ReLU network",
        ),
        png="results/figures/fig2.png",
    log:
        "logs/figures/fig2.log",
    benchmark:
        "benchmarks/figures/fig2.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    params:
        figure=figure_params("fig2"),
    script:
        "../../scripts/fig2.py"


rule fig3_render:
    input:
        runs=figure_inputs("fig3")["runs"],
        theory=figure_inputs("fig3")["theory"],
    output:
        pdf=report(
            "results/figures/fig3.pdf",
            caption="../report/fig3.rst",
            category="Fig. 3",
            subcategory="Left and middle: stationary distributions of v",
        ),
        png="results/figures/fig3.png",
    log:
        "logs/figures/fig3.log",
    benchmark:
        "benchmarks/figures/fig3.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    params:
        figure=figure_params("fig3"),
    script:
        "../../scripts/fig3.py"


rule fig3_tanh_render:
    input:
        networks=figure_inputs("fig3_tanh")["networks"],
    output:
        pdf=report(
            "results/figures/fig3_tanh.pdf",
            caption="../report/fig3_tanh.rst",
            category="Fig. 3",
            subcategory="Right: the tanh model and the wrong sign",
        ),
        png="results/figures/fig3_tanh.png",
    log:
        "logs/figures/fig3_tanh.log",
    benchmark:
        "benchmarks/figures/fig3_tanh.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    params:
        figure=figure_params("fig3_tanh"),
    script:
        "../../scripts/fig3_tanh.py"


rule fig4_render:
    input:
        runs=figure_inputs("fig4")["runs"],
        theory=figure_inputs("fig4")["theory"],
    output:
        pdf=report(
            "results/figures/fig4.pdf",
            caption="../report/fig4.rst",
            category="Fig. 4",
            subcategory="Phase diagram and simulated points",
        ),
        png="results/figures/fig4.png",
    log:
        "logs/figures/fig4.log",
    benchmark:
        "benchmarks/figures/fig4.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    params:
        figure=figure_params("fig4"),
    script:
        "../../scripts/fig4.py"


# Not local: the bootstrap of five ensembles takes a few seconds, the theory's Hill curve more.
# The tail_slope checks bring their splitting estimates and fitted slopes.
rule fig5_tails_render:
    input:
        runs=figure_inputs("fig5_tails")["runs"],
        data=figure_inputs("fig5_tails")["data"],
        theory=figure_inputs("fig5_tails")["theory"],
        slopes=tail_slope_inputs("fig5_tails")["checks"],
        splitting=tail_slope_inputs("fig5_tails")["splitting"],
    output:
        pdf=report(
            "results/figures/fig5_tails.pdf",
            caption="../report/fig5_tails.rst",
            category="Fig. 5",
            subcategory="Left: tails of deep linear networks",
        ),
        png="results/figures/fig5_tails.png",
    log:
        "logs/figures/fig5_tails.log",
    benchmark:
        "benchmarks/figures/fig5_tails.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    resources:
        runtime=10,
        mem_mb=2000,
    params:
        figure=figure_params("fig5_tails"),
    script:
        "../../scripts/fig5_tails.py"


rule fig5_stability_render:
    input:
        networks=figure_inputs("fig5_stability")["networks"],
    output:
        pdf=report(
            "results/figures/fig5_stability.pdf",
            caption="../report/fig5_stability.rst",
            category="Fig. 5",
            subcategory="Middle: loss against learning rate",
        ),
        png="results/figures/fig5_stability.png",
    log:
        "logs/figures/fig5_stability.log",
    benchmark:
        "benchmarks/figures/fig5_stability.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    params:
        figure=figure_params("fig5_stability"),
    script:
        "../../scripts/fig5_stability.py"


rule fig5_scaling_render:
    input:
        networks=figure_inputs("fig5_scaling")["networks"],
    output:
        pdf=report(
            "results/figures/fig5_scaling.pdf",
            caption="../report/fig5_scaling.rst",
            category="Fig. 5",
            subcategory="Right: scaling law on digits",
        ),
        png="results/figures/fig5_scaling.png",
    log:
        "logs/figures/fig5_scaling.log",
    benchmark:
        "benchmarks/figures/fig5_scaling.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    params:
        figure=figure_params("fig5_scaling"),
    script:
        "../../scripts/fig5_scaling.py"


rule fig5_diagonal_scaling_render:
    input:
        runs=figure_inputs("fig5_diagonal_scaling")["runs"],
        data=figure_inputs("fig5_diagonal_scaling")["data"],
        theory=figure_inputs("fig5_diagonal_scaling")["theory"],
    output:
        pdf=report(
            "results/figures/fig5_diagonal_scaling.pdf",
            caption="../report/fig5_diagonal_scaling.rst",
            category="Fig. 5",
            subcategory="Scaling law on diagonal networks",
        ),
        png="results/figures/fig5_diagonal_scaling.png",
    log:
        "logs/figures/fig5_diagonal_scaling.log",
    benchmark:
        "benchmarks/figures/fig5_diagonal_scaling.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    params:
        figure=figure_params("fig5_diagonal_scaling"),
    script:
        "../../scripts/fig5_diagonal_scaling.py"


rule table1_render:
    input:
        table_dataset("table1"),
    output:
        report(
            "results/tables/table1.csv",
            caption="../report/table1.rst",
            category="Table 1",
            subcategory="Closed forms against the quadrature density",
        ),
    log:
        "logs/tables/table1.log",
    benchmark:
        "benchmarks/tables/table1.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    resources:
        runtime=5,
        mem_mb=1000,
    params:
        table=table_params("table1"),
    script:
        "../../scripts/table1.py"


rule fig1:
    input:
        rules.fig1_render.output,


rule fig2:
    input:
        rules.fig2_render.output,


rule fig3:
    input:
        rules.fig3_render.output,
        rules.fig3_tanh_render.output,


rule fig4:
    input:
        rules.fig4_render.output,


rule fig5:
    input:
        rules.fig5_tails_render.output,
        rules.fig5_stability_render.output,
        rules.fig5_scaling_render.output,
        rules.fig5_diagonal_scaling_render.output,


rule table1:
    input:
        rules.table1_render.output,


rule fig_collapse_plane_render:
    input:
        sweeps=figure_inputs("fig_collapse_plane")["sweeps"],
    output:
        pdf=report(
            "results/figures/fig_collapse_plane.pdf",
            caption="../report/fig_collapse_plane.rst",
            category="Beyond the paper",
            subcategory="Where discrete SGD collapses, D = 1",
        ),
        png="results/figures/fig_collapse_plane.png",
    log:
        "logs/figures/fig_collapse_plane.log",
    benchmark:
        "benchmarks/figures/fig_collapse_plane.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    params:
        figure=figure_params("fig_collapse_plane"),
    script:
        "../../scripts/fig_collapse_plane.py"


rule fig_kesten_render:
    input:
        checks=[
            f"results/checks/{name}.json"
            for name in config["figures"]["fig_kesten"]["checks"]
        ],
        data=f"results/data/{config['figures']['fig_kesten']['dataset']}.npz",
        bias=[
            f"results/measurements/{name}.json"
            for name in [config["figures"]["fig_kesten"].get("bias")]
            if name
        ],
    output:
        pdf=report(
            "results/figures/fig_kesten.pdf",
            caption="../report/fig_kesten.rst",
            category="Beyond the paper",
            subcategory="Kesten tail index of discrete SGD, D = 0",
        ),
        png="results/figures/fig_kesten.png",
    log:
        "logs/figures/fig_kesten.log",
    benchmark:
        "benchmarks/figures/fig_kesten.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    params:
        figure=figure_params("fig_kesten"),
    script:
        "../../scripts/fig_kesten.py"


rule fig_discrete:
    input:
        rules.fig_collapse_plane_render.output,
        rules.fig_kesten_render.output,


rule fig_momentum_render:
    input:
        runs=figure_inputs("fig_momentum")["runs"],
        checks=[
            f"results/checks/{name}.json"
            for name in config["figures"]["fig_momentum"]["checks"]
        ],
        adaptive=[
            f"results/adaptive/{name}.npz"
            for name in config["figures"]["fig_momentum"]["adaptive"]
        ],
    output:
        pdf=report(
            "results/figures/fig_momentum.pdf",
            caption="../report/fig_momentum.rst",
            category="Beyond the paper",
            subcategory="Heavy-ball momentum and Adam: balance and stationary law",
        ),
        png="results/figures/fig_momentum.png",
    log:
        "logs/figures/fig_momentum.log",
    benchmark:
        "benchmarks/figures/fig_momentum.tsv"
    conda:
        "../envs/sgdbalance.yaml"
    params:
        figure=figure_params("fig_momentum"),
        adaptive=[
            config["adaptive"][name]
            for name in config["figures"]["fig_momentum"]["adaptive"]
        ],
    script:
        "../../scripts/fig_momentum.py"


rule fig_momentum:
    input:
        rules.fig_momentum_render.output,
