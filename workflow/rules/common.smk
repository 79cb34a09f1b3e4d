import os
from pathlib import Path

from snakemake.utils import validate

from sgdbalance.config import (
    CHECKS_WITH_THEORY,
    check_config,
    load_claims,
    figure_entries,
    job_resources,
    part_runs,
)

validate(config, schema="../schemas/config.schema.yaml")
check_config(config)

# The claims registry, shared by every config: what is claimed, and which checks test it.
CLAIMS_FILE = config.get("claims_file", f"{workflow.basedir}/config/claims.yaml")
REGISTRY = load_claims(CLAIMS_FILE, config)
validate(REGISTRY, schema="../schemas/claims.schema.yaml")
CLAIMS = list(REGISTRY["claims"])


def by_jobs(section):
    """Names of a config section split into several jobs (config key jobs > 1), and the rest."""
    entries = config.get(section, {})
    split = [name for name, spec in entries.items() if spec.get("jobs", 1) > 1]
    return split, [name for name in entries if name not in split]


DATASETS = list(config["datasets"])
EXPERIMENTS = list(config["experiments"])
SPLIT_EXPERIMENTS, ONE_JOB_EXPERIMENTS = by_jobs("experiments")
CHECKS = list(config["checks"])
MEASUREMENTS = list(config.get("measurements", {}))
FIGURES = list(config["figures"])
NETWORKS = list(config.get("networks", {}))
SPLIT_NETWORKS, ONE_JOB_NETWORKS = by_jobs("networks")
SWEEPS = list(config.get("sweeps", {}))
SPLITTING = list(config.get("splitting", {}))
TABLES = list(config.get("tables", {}))
ADAPTIVE = list(config.get("adaptive", {}))


wildcard_constraints:
    dataset="|".join(DATASETS),
    experiment="|".join(EXPERIMENTS),
    check="|".join(CHECKS),
    claim="|".join(CLAIMS),
    part=r"\d+",
    measurement="|".join(MEASUREMENTS) or "^$",
    network="|".join(NETWORKS) or "^$",
    sweep="|".join(SWEEPS) or "^$",
    splitting="|".join(SPLITTING) or "^$",
    adaptive="|".join(ADAPTIVE) or "^$",


def dataset_spec(wildcards):
    return config["datasets"][wildcards.dataset]


def experiment_spec(wildcards):
    return config["experiments"][wildcards.experiment]


def adaptive_spec(wildcards):
    return config["adaptive"][wildcards.adaptive]


def adaptive_dataset(wildcards):
    """The training set of an adaptive-optimiser ensemble."""
    return f"results/data/{adaptive_spec(wildcards)['dataset']}.npz"


def experiment_dataset(wildcards):
    """The training set an experiment's runs see."""
    return f"results/data/{experiment_spec(wildcards)['dataset']}.npz"


def part_files(folder, name, spec):
    """The files of the jobs an entry's runs are split into, merged in this order."""
    return [f"results/{folder}/{name}/part{i}.npz" for i in range(spec.get("jobs", 1))]


def run_range(spec, wildcards):
    """The runs of one job (``[start, stop]``): a part of a split entry, or all of them."""
    runs = part_runs(spec, int(wildcards.get("part", 0)))
    return [runs.start, runs.stop]


def experiment_parts(wildcards):
    return part_files("train", wildcards.experiment, experiment_spec(wildcards))


def part_range(wildcards):
    return run_range(experiment_spec(wildcards), wildcards)


# The wildcard that names an entry of each section with compute jobs.
ENTRY_WILDCARD = {
    "experiments": "experiment",
    "networks": "network",
    "sweeps": "sweep",
    "splitting": "splitting",
}


def job_resource(section, key):
    """What a job of an entry of ``section`` asks for (``job_resources``): ``runtime``
    (minutes), ``mem_mb`` or ``threads``."""
    wildcard = ENTRY_WILDCARD[section]
    return lambda wildcards: job_resources(config, section, wildcards[wildcard])[key]


def check_spec(wildcards):
    return config["checks"][wildcards.check]


def splitting_spec(wildcards):
    return config["splitting"][wildcards.splitting]


def splitting_dataset(wildcards):
    experiment = config["splitting"][wildcards.splitting]["experiment"]
    return f"results/data/{config['experiments'][experiment]['dataset']}.npz"


def check_inputs(wildcards):
    """A check reads an ensemble with its training set (and theory), or a training set."""
    spec = check_spec(wildcards)
    if (
        "splitting" in spec
    ):  # a splitting estimate, the theory or plain run of its experiment
        experiment = config["splitting"][spec["splitting"]]["experiment"]
        inputs = {
            "splitting": f"results/splitting/{spec['splitting']}.npz",
            "data": f"results/data/{config['experiments'][experiment]['dataset']}.npz",
        }
        if spec["kind"] in ("tail_slope", "tail_level"):
            inputs["theory"] = f"results/theory/{experiment}.npz"
        elif "plain" in spec:
            inputs["plain"] = f"results/splitting/{spec['plain']}.npz"
        else:
            inputs["run"] = f"results/train/{experiment}.npz"
        return inputs
    if "experiment" in spec:
        experiment = config["experiments"][spec["experiment"]]
        inputs = {
            "run": f"results/train/{spec['experiment']}.npz",
            "data": f"results/data/{experiment['dataset']}.npz",
        }
        if spec["kind"] in CHECKS_WITH_THEORY:
            inputs["theory"] = f"results/theory/{spec['experiment']}.npz"
        return inputs
    if "adaptive" in spec:  # an Adam or RMSProp ensemble and its training set
        return {
            "adaptive": f"results/adaptive/{spec['adaptive']}.npz",
            "data": f"results/data/{config['adaptive'][spec['adaptive']]['dataset']}.npz",
        }
    if "sweep" in spec:
        sweep = config["sweeps"][spec["sweep"]]
        return {
            "sweep": f"results/sweeps/{spec['sweep']}.npz",
            "data": f"results/data/{sweep['dataset']}.npz",
        }
    if spec["kind"] == "relu_balance":
        return {"network": f"results/networks/{spec['network']}.npz"}
    if spec["kind"] == "relu_identity":
        return {}
    if "experiments" in spec:  # a series of ensembles, each with its theory
        names = spec["experiments"]
        dataset = config["experiments"][names[0]]["dataset"]
        return {
            "runs": [f"results/train/{name}.npz" for name in names],
            "theories": [f"results/theory/{name}.npz" for name in names],
            "data": f"results/data/{dataset}.npz",
        }
    return {"data": f"results/data/{spec['dataset']}.npz"}


def measurement_spec(wildcards):
    return config["measurements"][wildcards.measurement]


def measurement_inputs(wildcards):
    """A measurement reads an ensemble and the theory of the same experiment, a dataset, or a
    sweep with its dataset."""
    spec = measurement_spec(wildcards)
    if "sweep" in spec:
        dataset = config["sweeps"][spec["sweep"]]["dataset"]
        return {
            "sweep": f"results/sweeps/{spec['sweep']}.npz",
            "data": f"results/data/{dataset}.npz",
        }
    if "dataset" in spec:
        return {"data": f"results/data/{spec['dataset']}.npz"}
    name = spec["experiment"]
    return {"run": f"results/train/{name}.npz", "theory": f"results/theory/{name}.npz"}


def figure_entries_by_section(figure):
    """The experiments, networks and sweeps a figure reads, each in config order."""
    return {
        section: figure_entries(config, figure, section)
        for section in ("experiments", "networks", "sweeps")
    }


def figure_inputs(figure):
    """Ensembles, training sets, theory files, networks and sweeps a figure reads, in order."""
    entries = figure_entries_by_section(figure)
    names = entries["experiments"]
    datasets = [config["experiments"][name]["dataset"] for name in names]
    return {
        "runs": [f"results/train/{name}.npz" for name in names],
        "data": [f"results/data/{name}.npz" for name in datasets],
        "theory": [f"results/theory/{name}.npz" for name in names],
        "networks": [f"results/networks/{name}.npz" for name in entries["networks"]],
        "sweeps": [f"results/sweeps/{name}.npz" for name in entries["sweeps"]],
    }


def tail_slope_inputs(figure):
    """The tail_slope checks a figure draws, and their splitting estimates, in order."""
    names = config["figures"][figure].get("slopes", [])
    return {
        "checks": [f"results/checks/{name}.json" for name in names],
        "splitting": [
            f"results/splitting/{config['checks'][name]['splitting']}.npz"
            for name in names
        ],
    }


def figure_params(figure):
    """What a figure reads: its layout, and the specs of its experiments, their datasets, its
    networks and its sweeps."""
    specs = {
        section: {name: config[section][name] for name in names}
        for section, names in figure_entries_by_section(figure).items()
    }
    return {
        "layout": config["figures"][figure],
        "experiments": specs["experiments"],
        "datasets": {
            e["dataset"]: config["datasets"][e["dataset"]]
            for e in specs["experiments"].values()
        },
        "networks": specs["networks"],
        "sweeps": specs["sweeps"],
    }


def network_spec(wildcards):
    return config["networks"][wildcards.network]


def network_parts(wildcards):
    return part_files("networks", wildcards.network, network_spec(wildcards))


def network_part_range(wildcards):
    # validate() has filled in n_runs where a relu entry leaves it at the schema's default
    return run_range(network_spec(wildcards), wildcards)


def sweep_spec(wildcards):
    return config["sweeps"][wildcards.sweep]


def sweep_inputs(wildcards):
    """A sweep reads its training set, if it has one (a divergence map draws its own)."""
    spec = sweep_spec(wildcards)
    return {"data": f"results/data/{spec['dataset']}.npz"} if "dataset" in spec else {}


def table_dataset(table):
    return f"results/data/{config['tables'][table]['dataset']}.npz"


def table_params(table):
    spec = config["tables"][table]
    return spec | {"k": config["datasets"][spec["dataset"]]["k"]}


def claim_params(wildcards):
    return REGISTRY["claims"][wildcards.claim]


def claim_checks(wildcards):
    return [f"results/checks/{name}.json" for name in claim_params(wildcards)["checks"]]


# The article's figure files, the rules that draw them and the targets that build them, read
# from the rules of figures.smk (so called only after its include). A figure added there
# appears in the article by itself.
def figure_sources():
    """Each figure of config ``figures:`` with the script that draws it and the target rule
    (``fig5``) that builds it, in the order of the config."""
    drawn, targets = {}, {}
    for step in workflow.rules:
        outputs = [str(f) for f in step.output]
        inputs = [str(f) for f in step.input]
        for fig in FIGURES:
            pdf = f"results/figures/{fig}.pdf"
            if pdf in outputs and step.script:
                script = Path(step.snakefile).parent / step.script
                drawn[fig] = os.path.relpath(script.resolve(), workflow.basedir)
            if pdf in inputs and not step.output and step.name != "all":
                targets[fig] = step.name
    return {
        fig: {"script": drawn.get(fig), "target": targets.get(fig, fig)}
        for fig in FIGURES
    }


def config_overlays():
    """The config files given over config/config.yaml (``--configfile config/quick.yaml``)."""
    base = Path(workflow.basedir, "config", "config.yaml").resolve()
    return [
        os.path.relpath(Path(f).resolve(), workflow.basedir)
        for f in workflow.configfiles
        if Path(f).resolve() != base
    ]
