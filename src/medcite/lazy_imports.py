"""Package attributes imported on first use (PEP 562), so importing a package stays cheap.

    __getattr__ = lazy_exports(__name__, {"Engine": "medcite.service"})

A command that needs none of the names (``medcite --help``) then never loads their modules.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``exports[name]`` (a module path) when asked."""

    def attribute(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(exports[name]), name)
        setattr(sys.modules[package], name, value)  # later lookups skip this function
        return value

    return attribute
