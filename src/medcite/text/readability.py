"""Reading grade of a text: textstat's Flesch-Kincaid grade, when textstat is installed."""

from __future__ import annotations


def fk_grade(text: str) -> float | None:
    """Flesch-Kincaid grade of ``text`` (None without textstat or text)."""
    try:
        import textstat
    except ImportError:
        return None
    return round(float(textstat.flesch_kincaid_grade(text)), 2) if text.strip() else None
