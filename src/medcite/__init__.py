"""medcite: clinical answers with verifiable citations, from a corpus you control.

The names below load on first use (``from medcite import Engine``), so importing one stage
(``medcite.text.terms``, say) costs nothing else.
"""

import os
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the names are, for type checkers
    from medcite.config import Settings
    from medcite.errors import MedciteError
    from medcite.models import Answer, Document, Hit, Passage
    from medcite.service import Engine

# Before numpy loads: OpenBLAS threads spinning beside onnxruntime's doubled query-embedding
# time on 2 cores (measured 4.4 ms -> 8.7-13 ms).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

_EXPORTS = {
    "Answer": "medcite.models",
    "Document": "medcite.models",
    "Hit": "medcite.models",
    "Passage": "medcite.models",
    "Settings": "medcite.config",
    "MedciteError": "medcite.errors",
    "Engine": "medcite.service",
}
__all__ = ["Answer", "Document", "Engine", "Hit", "MedciteError", "Passage", "Settings"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'medcite' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
