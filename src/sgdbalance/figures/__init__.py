"""The paper's figures, one module each, as functions from statistics to a matplotlib Figure."""

import matplotlib

matplotlib.use("Agg")  # before any pyplot import: figures are files, never windows

from .balance import law_of_balance  # noqa: E402
from .common import save  # noqa: E402
from .diagonal_scaling import diagonal_scaling  # noqa: E402
from .discrete import collapse_plane, kesten_kappa  # noqa: E402
from .momentum import momentum_panels  # noqa: E402
from .phase import phase_diagram  # noqa: E402
from .relu import noise_balance  # noqa: E402
from .scaling import scaling_law  # noqa: E402
from .stationary import stationary_panels  # noqa: E402
from .tails import tail_panels  # noqa: E402
from .tanh import edge_of_stability, wrong_sign  # noqa: E402

__all__ = [
    "collapse_plane",
    "diagonal_scaling",
    "edge_of_stability",
    "kesten_kappa",
    "law_of_balance",
    "momentum_panels",
    "noise_balance",
    "phase_diagram",
    "save",
    "scaling_law",
    "stationary_panels",
    "tail_panels",
    "wrong_sign",
]
