"""Drug names, from the dictionary shipped in the PyPI package ``drug-named-entity-recognition``
(DrugBank, MeSH, NHS and MedlinePlus names and brands, ~107k variants, offline).

Importing that package costs ~8 s (it builds fuzzy-match n-grams at import), so this module
reads only its variant → canonical table (1.4 s) once per process and keeps a compact copy in
a cache directory (the user cache dir unless given; 0.1 s to load afterwards). Without the
package the lexicon is empty (``available`` is false) and callers say so or fall back.

    lexicon = DrugLexicon.load()
    lexicon.find("Ocrelizumab (Ocrevus) or natalizumab")      # {"ocrelizumab", "natalizumab"}
    lexicon.mentions("Is Ocrevus safe with escitalopram?")     # ("Ocrevus", "escitalopram")

Without the package, :func:`find_drugs` falls back to International Nonproprietary Name stem
endings (-mab, -pril, -statin, ...).
"""

from __future__ import annotations

import bz2
import importlib.util
import pickle
import re
import threading
from collections.abc import Iterator
from pathlib import Path

from medcite.text.terms import QUESTION_WORDS, STOPWORDS

_PACKAGE = "drug_named_entity_recognition"
_DATA_FILE = "drug_ner_dictionary.pkl.bz2"
_CACHE_NAME = "drug-lexicon-v2.pickle"
INSTALL_HINT = "pip install drug-named-entity-recognition"
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
MAX_WORDS = 3
# Variants that are ordinary words in abstracts and questions, not drug mentions in practice.
_NOT_DRUGS = QUESTION_WORDS | frozenset(
    """oxygen water air sodium potassium calcium iron zinc alcohol glucose salt sugar protein
    insulin-like placebo vitamin vitamins fat fiber control controls sham saline lead gold silver
    copper urea nitrogen carbon hydrogen pain sleep today care help safe""".split()
)
_INN_STEM = re.compile(
    r"(?:mab|nib|pril|sartan|olol|statin|pram|oxetine|azepam|azole|cillin|mycin|cycline|"
    r"floxacin|vir|parin|gliptin|gliflozin|dronate|tidine|prazole|triptan|setron)$"
)
_lock = threading.Lock()
_loaded: dict[str, DrugLexicon] = {}


class DrugLexicon:
    """Lower-cased drug name variants (1–3 words) mapped to canonical names."""

    def __init__(self, variants: dict[str, str]) -> None:
        self.variants = variants
        self.available = bool(variants)
        # First words of the variants: most words of a text start none, and are skipped
        # without building the 1-3 word phrases to look up.
        self._first_words = frozenset(v.split(" ", 1)[0] for v in variants)

    @classmethod
    def load(cls, cache_dir: Path | None = None) -> DrugLexicon:
        """The lexicon, loaded once per process (empty when the package is not installed)."""
        cache_dir = cache_dir or _user_cache_dir()
        key = str(cache_dir)
        with _lock:
            if key not in _loaded:
                _loaded[key] = cls(_read_variants(cache_dir))
            return _loaded[key]

    def find(self, text: str) -> frozenset[str]:
        """Canonical names of the drugs mentioned in ``text`` (longest match first)."""
        return frozenset(canonical for _, canonical in self._matches(text))

    def mentions(self, text: str) -> tuple[str, ...]:
        """The drug names in ``text`` as written, in order, each once."""
        return tuple(dict.fromkeys(written for written, _ in self._matches(text)))

    def _matches(self, text: str) -> Iterator[tuple[str, str]]:
        if not self.available:
            return
        words = _WORD.findall(text)
        first_words = self._first_words
        i = 0
        while i < len(words):
            if words[i].lower() not in first_words:
                i += 1
                continue
            for size in range(min(MAX_WORDS, len(words) - i), 0, -1):
                written = " ".join(words[i : i + size])
                canonical = self.variants.get(written.lower())
                if canonical:
                    yield written, canonical
                    i += size
                    break
            else:
                i += 1


def _read_variants(cache_dir: Path | None) -> dict[str, str]:
    cached = cache_dir / _CACHE_NAME if cache_dir else None
    if cached and cached.is_file():
        try:
            with cached.open("rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError):
            pass  # a damaged copy is rebuilt from the package below
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
        _write_cache(cached, variants)
    return variants


def _write_cache(path: Path, variants: dict[str, str]) -> None:
    """Keep a compact copy; a read-only data directory only costs the next process time."""
    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as fh:
            pickle.dump(variants, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)


def _user_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("medcite", appauthor=False))


def _usable(variant: str) -> bool:
    words = variant.split()
    if not 1 <= len(words) <= MAX_WORDS or len(variant) < 4:
        return False
    return variant not in STOPWORDS and variant not in _NOT_DRUGS and not variant.isdigit()


def find_drugs(text: str) -> tuple[str, ...]:
    """Drug names in ``text`` as written, in order, each once."""
    lexicon = DrugLexicon.load()
    return lexicon.mentions(text) if lexicon.available else inn_stem_drugs(text)


def inn_stem_drugs(text: str) -> tuple[str, ...]:
    """Words of ``text`` that end like a drug's international nonproprietary name."""
    words = (m.group(0) for m in _WORD.finditer(text))
    return tuple(dict.fromkeys(w for w in words if len(w) > 4 and _INN_STEM.search(w.lower())))
