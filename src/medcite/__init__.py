"""medcite: clinical answers with verifiable citations, from a corpus you control.

The names below load on first use (``from medcite import Engine``), so importing one stage
(``medcite.text.terms``, say) costs nothing else.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from medcite.lazy_imports import lazy_exports

# Before numpy loads: OpenBLAS threads spinning beside onnxruntime's doubled query-embedding
# time on 2 cores (measured 4.4 ms -> 8.7-13 ms).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

if TYPE_CHECKING:
    from medcite.config import Settings
    from medcite.errors import MedciteError
    from medcite.models import Answer, Document, Hit, Passage
    from medcite.service import Engine

__all__ = ["Answer", "Document", "Engine", "Hit", "MedciteError", "Passage", "Settings"]

# Imported on first use: `medcite --help` and other light commands never load the engine
# (SQLAlchemy, numpy, tantivy).
__getattr__ = lazy_exports(
    __name__,
    {
        "Answer": "medcite.models",
        "Document": "medcite.models",
        "Engine": "medcite.service",
        "Hit": "medcite.models",
        "MedciteError": "medcite.errors",
        "Passage": "medcite.models",
        "Settings": "medcite.config",
    },
)
