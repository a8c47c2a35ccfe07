"""Drug names in a question, offline.

The names come from the dictionary shipped in the PyPI package
``drug-named-entity-recognition`` (DrugBank, MeSH, MedlinePlus and Wikipedia names and
brand names, ~107k variants). Importing that package builds fuzzy-match indexes and takes
seconds, so only its data file is read, once, and the lower-cased names are kept in a plain
text cache (``<user cache dir>/medcite/drug-names-<version>.txt``, ~50 ms to load). Matching
is exact on word n-grams (longest first). Without the package, International Nonproprietary
Name stem endings (-mab, -pril, -statin, ...) are the fallback.
"""

from __future__ import annotations

import bz2
import importlib.util
import pickle
import re
from functools import cache
from importlib import metadata
from pathlib import Path

from medcite.compose.terms import QUESTION_WORDS, STOPWORDS

PACKAGE = "drug_named_entity_recognition"
MAX_WORDS = 4
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
# Dictionary entries that are everyday words in a question, not drug mentions here.
_NOT_DRUGS = (
    STOPWORDS
    | QUESTION_WORDS
    | frozenset(
        """pain sleep water oxygen iron air salt sugar alcohol today care help safe""".split()
    )
)
_INN_STEM = re.compile(
    r"(?:mab|nib|pril|sartan|olol|statin|pram|oxetine|azepam|azole|cillin|mycin|cycline|"
    r"floxacin|vir|parin|gliptin|gliflozin|dronate|tidine|prazole|triptan|setron)$"
)


def find_drugs(text: str) -> tuple[str, ...]:
    """Drug names in ``text`` as written, longest match first, each once."""
    words = [m.group(0) for m in _TOKEN.finditer(text)]
    names = drug_names()
    found: list[str] = []
    i = 0
    while i < len(words):
        size = _match(words, i, names)
        if size:
            found.append(" ".join(words[i : i + size]))
            i += size
        else:
            i += 1
    return tuple(dict.fromkeys(found))


def _match(words: list[str], start: int, names: frozenset[str] | None) -> int:
    """Length in words of the drug name starting at ``words[start]`` (0: none)."""
    if names is None:
        word = words[start].lower()
        return 1 if len(word) > 4 and _INN_STEM.search(word) else 0
    for size in range(min(MAX_WORDS, len(words) - start), 0, -1):
        phrase = " ".join(words[start : start + size]).lower()
        if phrase in names and (size > 1 or (phrase not in _NOT_DRUGS and len(phrase) > 2)):
            return size
    return 0


@cache
def drug_names() -> frozenset[str] | None:
    """The lexicon's lower-cased names, or None when the package is not installed."""
    try:
        version = metadata.version("drug-named-entity-recognition")
    except metadata.PackageNotFoundError:
        return None
    cached = _cache_dir() / f"drug-names-{version}.txt"
    if cached.is_file():
        return frozenset(cached.read_text(encoding="utf-8").splitlines())
    names = _names_from_package()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        partial.write_text("\n".join(sorted(names)), encoding="utf-8")
        partial.replace(cached)
    except OSError:
        pass  # a read-only cache dir costs speed, not correctness
    return names


def _names_from_package() -> frozenset[str]:
    # find_spec locates the package without running its __init__ (which builds the indexes).
    spec = importlib.util.find_spec(PACKAGE)
    assert spec is not None and spec.submodule_search_locations
    data = Path(next(iter(spec.submodule_search_locations))) / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(data, "rb") as unpacked:
        dictionary = pickle.load(unpacked)  # the package's own data file
    return frozenset(name.lower() for name in dictionary["drug_variant_to_canonical"])


def _cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("medcite", appauthor=False))
