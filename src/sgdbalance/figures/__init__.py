"""The paper's figures, one module each, as functions from statistics to a matplotlib Figure."""

import matplotlib

matplotlib.use("Agg")  # before any pyplot import: figures are files, never windows

from .balance import law_of_balance  # noqa: E402
from .common import save  # noqa: E402
from .phase import phase_diagram  # noqa: E402
from .stationary import stationary_panels  # noqa: E402
from .tails import tail_panels  # noqa: E402

__all__ = ["law_of_balance", "phase_diagram", "save", "stationary_panels", "tail_panels"]
