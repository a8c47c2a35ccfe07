"""Drug names, from the dictionary shipped in the PyPI package ``drug-named-entity-recognition``
(DrugBank, MeSH, NHS and MedlinePlus names and brands, ~107k variants, offline).

Importing that package costs ~8 s (it builds fuzzy-match n-grams at import), so this module
reads only its variant → canonical table (1.4 s) once per process and, given a cache
directory, keeps a compact copy there (0.1 s to load afterwards). Without the package, drug
matching is off and the verifier says so.

    lexicon = DrugLexicon.load(cache_dir)
    lexicon.find("Ocrelizumab (Ocrevus) or natalizumab")   # {"ocrelizumab", "natalizumab"}
"""

from __future__ import annotations

import bz2
import importlib.util
import pickle
import re
import threading
from pathlib import Path

from medcite.compose.terms import STOPWORDS

_PACKAGE = "drug_named_entity_recognition"
_DATA_FILE = "drug_ner_dictionary.pkl.bz2"
_CACHE_NAME = "drug-lexicon-v1.pickle"
INSTALL_HINT = "pip install drug-named-entity-recognition"
_WORD = re.compile(r"[a-z0-9][a-z0-9-]*")
# Variants that are ordinary words in abstracts, not drug mentions in practice.
_NOT_DRUGS = frozenset(
    """oxygen water air sodium potassium calcium iron zinc alcohol glucose salt sugar protein
    insulin-like placebo vitamin vitamins fat fiber control controls sham saline lead gold silver
    copper urea nitrogen carbon hydrogen""".split()
)
_lock = threading.Lock()
_loaded: dict[str, DrugLexicon] = {}


class DrugLexicon:
    """Lower-cased drug name variants (1–3 words) mapped to canonical names."""

    def __init__(self, variants: dict[str, str]) -> None:
        self.variants = variants
        self.available = bool(variants)

    @classmethod
    def load(cls, cache_dir: Path | None = None) -> DrugLexicon:
        """The lexicon, loaded once per process (empty when the package is not installed)."""
        key = str(cache_dir)
        with _lock:
            if key not in _loaded:
                _loaded[key] = cls(_read_variants(cache_dir))
            return _loaded[key]

    def find(self, text: str) -> frozenset[str]:
        """Canonical names of the drugs mentioned in ``text`` (longest match first)."""
        if not self.available:
            return frozenset()
        words = _WORD.findall(text.lower())
        found: set[str] = set()
        i = 0
        while i < len(words):
            for size in (3, 2, 1):
                name = self.variants.get(" ".join(words[i : i + size]))
                if name:
                    found.add(name)
                    i += size
                    break
            else:
                i += 1
        return frozenset(found)


def _read_variants(cache_dir: Path | None) -> dict[str, str]:
    cached = cache_dir / _CACHE_NAME if cache_dir else None
    if cached and cached.is_file():
        with cached.open("rb") as fh:
            return pickle.load(fh)
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or spec.origin is None:
        return {}
    with bz2.open(Path(spec.origin).parent / _DATA_FILE, "rb") as fh:
        table = pickle.load(fh)["drug_variant_to_canonical"]
    variants = {
        variant: canonicals[0]
        for variant, canonicals in table.items()
        if canonicals and _usable(variant)
    }
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(variants, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cached)
    return variants


def _usable(variant: str) -> bool:
    words = variant.split()
    if not 1 <= len(words) <= 3 or len(variant) < 4:
        return False
    return variant not in STOPWORDS and variant not in _NOT_DRUGS and not variant.isdigit()
