"""Drug names in a question, offline: the shared :class:`~medcite.compose.drugs.DrugLexicon`,
or, without its package, International Nonproprietary Name stem endings (-mab, -pril,
-statin, ...)."""

from __future__ import annotations

import re

from medcite.compose.drugs import DrugLexicon

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
_INN_STEM = re.compile(
    r"(?:mab|nib|pril|sartan|olol|statin|pram|oxetine|azepam|azole|cillin|mycin|cycline|"
    r"floxacin|vir|parin|gliptin|gliflozin|dronate|tidine|prazole|triptan|setron)$"
)


def find_drugs(text: str) -> tuple[str, ...]:
    """Drug names in ``text`` as written, in order, each once."""
    lexicon = DrugLexicon.load()
    return lexicon.mentions(text) if lexicon.available else inn_stem_drugs(text)


def inn_stem_drugs(text: str) -> tuple[str, ...]:
    """Words of ``text`` that end like a drug's international nonproprietary name."""
    words = (m.group(0) for m in _TOKEN.finditer(text))
    return tuple(dict.fromkeys(w for w in words if len(w) > 4 and _INN_STEM.search(w.lower())))
