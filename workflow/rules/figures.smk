localrules:
    fig1,
    fig1_render,
    fig3,
    fig3_render,


rule fig1_render:
    input:
        runs=figure_inputs("fig1")["runs"],
        data=figure_inputs("fig1")["data"],
    output:
        pdf=report(
            "results/figures/fig1.pdf",
            caption="../report/fig1.rst",
            category="Figures",
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


rule fig3_render:
    input:
        runs=figure_inputs("fig3")["runs"],
        theory=figure_inputs("fig3")["theory"],
    output:
        pdf=report(
            "results/figures/fig3.pdf",
            caption="../report/fig3.rst",
            category="Figures",
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


rule fig1:
    input:
        rules.fig1_render.output,


rule fig3:
    input:
        rules.fig3_render.output,
