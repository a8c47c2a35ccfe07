"""medcite: clinical answers with verifiable citations, from a corpus you control."""

from medcite.config import Settings
from medcite.errors import MedciteError
from medcite.models import Answer, Document, Hit, Passage
from medcite.service import Engine

__all__ = ["Answer", "Document", "Engine", "Hit", "MedciteError", "Passage", "Settings"]
