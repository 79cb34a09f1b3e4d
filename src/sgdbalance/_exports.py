"""Public names of a subpackage, imported from their module on first use.

A subpackage's ``__init__`` lists its public names with the module that defines each; importing
the subpackage then costs nothing, and ``from sgdbalance.simulate import simulate`` loads only
``simulate/ensemble.py`` (and the compiled kernels) when it is asked for.
"""

import importlib


def lazy_exports(package: str, names: dict[str, str]):
    """``(__getattr__, __dir__, __all__)`` for ``package``, serving ``names`` (public name ->
    module): one line in each ``__init__``, so ``__all__`` can never drift from ``names``."""

    def __getattr__(name):
        try:
            module = names[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    def __dir__():
        return sorted(names)

    return __getattr__, __dir__, list(names)
