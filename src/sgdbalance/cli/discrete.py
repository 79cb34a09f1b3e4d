"""Discrete SGD beyond the SGF: ``lyapunov`` (does v = 0 attract), ``tc --discrete``'s
thresholds and ``tail-index`` (Kesten's kappa), from the minibatch means of ``--data`` or by
quadrature over the population."""

import numpy as np

from .. import discrete
from ..discrete import collapse, kesten
from ..theory.density import tail_exponent
from .common import _distribution


def _describe_source(args, bm=None, n: int = 0) -> str:
    """Where the minibatch expectations come from: quadrature, or the batches of --data."""
    if args.data is None:
        return f"population x ~ N(0, 1), y = {args.k:g} x + {args.sigma:g} eps, quadrature"
    if bm.exact:
        return f"{args.data}: exact, all {n}^{bm.batch} = {bm.values.size} batches"
    return f"{args.data}: Monte Carlo, {bm.values.size} batches of {n} samples, seed {args.seed}"


def _pm(value: float, se: float | None) -> str:
    """``value``, with `` ± se`` when it is a Monte Carlo estimate (se > 0)."""
    return f"{value:.6g} ± {se:.2g}" if se else f"{value:.6g}"


def _row(label: str, value: str, comment: str = "") -> str:
    return f"{label:<24}{value:<22}{comment}".rstrip()


def _discrete_thresholds(args, moments, x, y, t_c) -> None:
    """``tc --discrete``: where ``max(Lambda_+, Lambda_-)`` changes sign, next to T_c."""
    batch = args.batch
    eta_max = 4.0 * batch if args.eta_max is None else args.eta_max
    if x is None:
        source = _describe_source(args)
        roots = collapse.population_collapse_thresholds(batch, args.k, args.sigma, eta_max)
        ses = [0.0] * len(roots)

        def top(eta):
            return collapse.population_top_exponent(eta, batch, args.k, args.sigma)

    else:
        bm = discrete.batch_means(x * y, batch, args.seed)
        source = _describe_source(args, bm, x.size)
        roots = collapse.collapse_thresholds(bm, eta_max)
        ses = [collapse.threshold_se(bm, eta) for eta in roots]

        def top(eta):
            return collapse.top_exponent(bm, eta)

    second = collapse.second_order_threshold(moments, batch)
    print(_row("T_c, SGF", f"{t_c:.6g}", "beta2/alpha3"))
    print(_row("T_c, second order", f"{second:.6g}", f"beta2/(alpha3 + S beta2^2), S = {batch}"))
    print(f"discrete SGD, S = {batch}, eta in (0, {eta_max:g}]  ({source})")
    for eta, se in zip(roots, ses, strict=True):
        print(
            _row(
                "  threshold",
                f"eta = {_pm(eta, se)}",
                f"T = eta/S = {_pm(eta / batch, se / batch)}",
            )
        )
    # Between consecutive roots the top exponent has one sign: read it at the middle.
    edges = [0.0, *roots, eta_max]
    spans = list(zip(edges[:-1], edges[1:], strict=True))
    attracting = [(lo, hi) for lo, hi in spans if top((lo + hi) / 2) < 0]
    if not roots:
        if attracting:
            print(f"no threshold: v = 0 attracts (collapse) at every eta in (0, {eta_max:g}]")
        else:
            print(
                f"no threshold: v = 0 repels at every eta in (0, {eta_max:g}], "
                f"discrete SGD with S = {batch} never collapses there"
            )
        return
    for lo, hi in attracting:
        end = "]" if hi == eta_max else ")"
        print(
            f"v = 0 attracts (collapse) for eta in ({lo:.6g}, {hi:.6g}{end}, "
            f"T in ({lo / batch:.6g}, {hi / batch:.6g}{end}"
        )
    print(f"  and repels at the other eta in (0, {eta_max:g}]")


def cmd_lyapunov(args) -> int:
    eta, batch = args.eta, args.batch
    moments, x, y = _distribution(args)
    if x is None:
        source = _describe_source(args)
        e = collapse.population_lyapunov(eta, batch, args.k, args.sigma)
        e["plus_se"] = e["minus_se"] = 0.0
    else:
        bm = discrete.batch_means(x * y, batch, args.seed)
        source = _describe_source(args, bm, x.size)
        e = collapse.lyapunov_exponents(bm, eta)
    print(f"D = 1 near v = 0, eta = {eta:g}, S = {batch}, T = eta/S = {eta / batch:.6g}")
    print(f"  ({source}; m = minibatch mean of x y)")
    plus, minus = _pm(e["plus"], e["plus_se"]), _pm(e["minus"], e["minus_se"])
    print(_row("Lambda_+", plus, "balanced u = w, E log|1 + 2 eta m| per step"))
    print(_row("Lambda_-", minus, "antibalanced u = -w, E log|1 - 2 eta m| per step"))
    top, top_se = max((e["plus"], e["plus_se"]), (e["minus"], e["minus_se"]))
    if top_se and abs(top) < 2 * top_se:
        print(
            "v = 0: undecided, max(Lambda_+, Lambda_-) is within 2 s.e. of 0 "
            "(fewer samples or a smaller S list every batch)"
        )
    elif top < 0:
        print("v = 0 attracts: max(Lambda_+, Lambda_-) < 0, SGD collapses onto u = w = 0")
    else:
        print("v = 0 repels: max(Lambda_+, Lambda_-) >= 0, SGD does not collapse")
    print(f"  (SGF: T_c = beta2/alpha3 = {moments.beta2 / moments.alpha3:.6g})")
    return 0


def _kappa_text(kappa: float, se: float | None, what: str) -> tuple[str, str]:
    if kappa == np.inf:
        return "inf", f"|1 - 2 eta m2| <= 1 for every batch: no power-law tail for this {what}"
    if kappa == 0:
        return "0", "E log|1 - 2 eta m2| >= 0: no stationary law, SGD diverges"
    return _pm(kappa, se), "E|1 - 2 eta m2|^kappa = 1, m2 = minibatch mean of x^2"


def cmd_tail_index(args) -> int:
    eta, batch, depth = args.eta, args.batch, args.depth
    temperature = eta / batch
    moments, x, _ = _distribution(args)
    sgf = -1.0 - tail_exponent(moments, depth, temperature)
    print(f"D = {depth}, eta = {eta:g}, S = {batch}, T = eta/S = {temperature:.6g}")
    print("  (tail index kappa: p(v) ~ |v|^(-1-kappa), P(|v| > x) ~ x^-kappa)")
    if depth >= 1:
        print(_row("kappa, SGF", f"{sgf:.6g}", "4 - 3/(D+1), at every T and for any data"))
        print(
            "note: Kesten's recursion (exact discrete SGD) is the D = 0 case; "
            "for D >= 1 only the SGF's index is computed"
        )
        return 0
    note = None
    if x is None:
        value, comment = _kappa_text(kesten.population_kesten_index(eta, batch), 0.0, "data")
        source = "x ~ N(0, 1), quadrature"
    else:
        bm = discrete.batch_means(x * x, batch, args.seed)
        index = kesten.kesten_index(bm, eta)
        value, comment = _kappa_text(index["kappa"], index["kappa_se"], "training set")
        source = _describe_source(args, bm, x.size)
        n_eff = index.get("effective_batches")
        if not bm.exact and n_eff is not None and n_eff < 100:
            note = (
                f"note: only ~{n_eff:.0f} of the drawn batches carry E|A|^kappa, "
                "so kappa and its s.e. are unreliable"
            )
    print(_row("kappa, Kesten (exact)", value, comment))
    print(f"  ({source})")
    if note:
        print(note)
    second = kesten.kappa_two_interpolation(moments, temperature, batch)
    print(_row("kappa, SGF", f"{sgf:.6g}", "1 + beta1/(T alpha1)"))
    print(_row("kappa, kappa=2 fit", f"{second:.6g}",
               "1 + beta1/(T (alpha1 + S beta1^2)): exact only where kappa = 2"))  # fmt: skip
    return 0
