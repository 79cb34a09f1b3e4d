"""Networks beyond the diagonal linear model, in numpy: the 20-200-20 ReLU net (Fig. 2), tanh
models (Figs. 3 and 5) and deep tanh MLPs on digits (Fig. 5, right).

Each model has a module that trains it (``relu``, ``tanh``, ``mlp``, with ``digits`` the data
of ``mlp``) and a frozen parameter class (in ``relu``, ``tanh_params``, ``mlp_params``);
``registry`` maps a config ``networks`` kind to its parameters and trainer.

Imports ``theory`` only.
"""

from .._exports import lazy_exports

_NAMES = {
    "network_params": "registry",
    "train": "registry",
    "merge": "registry",
    "ReluParams": "relu",
    "TanhSignParams": "tanh_params",
    "TanhStabilityParams": "tanh_params",
    "ScalingParams": "mlp_params",
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _NAMES)
