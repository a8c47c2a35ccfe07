"""Whether a cited document is about the question's topic: support is not relevance.

    about_topic(["acute lymphoblastic leukemia", "ALL"], [title, focus, passage_text])  # bool

A passage can support a statement perfectly and still be about something else ("Drugs
Approved for Acute Lymphoblastic Leukemia" supported by acute *myeloid* leukaemia pages). The
question stage names the topic by every form it has (its name, synonyms, a broader name,
short forms such as "MS"); a document is about it when its subject (title, MedQuAD focus,
MeSH headings) or the cited passage names one of them: all of a name's content words, or a
short form written as such (case-sensitive, a whole word).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from medcite.models import Document, Passage
from medcite.verify.signals import content_stems

_SHORT_FORM = re.compile(r"^[A-Z][A-Z0-9-]{1,7}$")


def about_topic(terms: Sequence[str], texts: Iterable[str]) -> bool:
    """Whether any of ``texts`` names one of the topic ``terms`` (see the module docstring)."""
    texts = list(texts)
    joined = " \n ".join(texts)
    stems = frozenset().union(*(content_stems(t) for t in texts))
    for term in terms:
        term = term.strip()
        if _SHORT_FORM.match(term):
            if re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", joined):
                return True
            continue
        needed = content_stems(term)
        if needed and needed <= stems:
            return True
    return False


def subject_texts(document: Document, passage: Passage) -> list[str]:
    """What a cited document is about: its title, focus and MeSH headings, and the passage."""
    return [
        document.title,
        str(document.metadata.get("focus") or ""),
        " ; ".join(document.mesh),
        passage.text,
    ]
