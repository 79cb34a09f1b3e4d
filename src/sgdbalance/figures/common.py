"""What every figure shares: the style file, atomic saving, labels."""

import logging
import os
from importlib.resources import files
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..artifact.io import atomic_open

STYLE = str(files("sgdbalance") / "paper.mplstyle")
# The PDF backend subsets fonts with fontTools, which logs each table at INFO: about a hundred
# lines per figure in the rule's log, between the lines that say what the figure shows.
logging.getLogger("fontTools").setLevel(logging.WARNING)
METHOD_LABELS = {
    "gd": "GD (T = 0)",
    "sgd": "SGD",
    "gd_iso": "GD + isotropic noise",
    "sgf": "SGF (Euler-Maruyama)",
}


def save(fig, stem) -> list[Path]:
    """Write ``stem.pdf`` and ``stem.png`` atomically, with fixed metadata so reruns match.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; it is closed afterwards.
    stem : str or path
        Output path without suffix.

    Returns
    -------
    list of pathlib.Path
        The PDF (vector) and the PNG (200 dpi, from the style file).
    """
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    paths = []
    # The style's savefig settings (dpi, tight bounding box) are read at save time.
    with plt.style.context(STYLE):
        for ext, meta in (("pdf", {"CreationDate": None}), ("png", {"Software": None})):
            path = Path(f"{stem}.{ext}")
            with atomic_open(path, "wb") as f:
                fig.savefig(f, format=ext, metadata=meta)
            paths.append(path)
    plt.close(fig)
    return paths


def quantile_band(ax, t, values, label, color, style="-"):
    med = np.nanmedian(values, axis=0)
    lo, hi = np.nanquantile(values, [0.1, 0.9], axis=0)
    ax.plot(t, med, style, color=color, label=label)
    ax.fill_between(t, lo, hi, color=color, alpha=0.15, lw=0)
