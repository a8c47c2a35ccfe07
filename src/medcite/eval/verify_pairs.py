"""Builds the labelled verification set ``eval/verify/pairs.jsonl`` from real passages.

    python -m medcite.eval.verify_pairs --data ../shared/data --out eval/verify/pairs.jsonl

Deterministic: the same data gives the same file. Each pair is a real passage (up to five
sentences of a PubMedQA abstract or a MedQuAD page around one source sentence) and a statement
derived from that sentence by one rule-based edit, with the label the edit implies:

| kind | edit | label |
|---|---|---|
| verbatim | the sentence itself | supported |
| reorder | a leading clause ("In adults with X, ...") moved to the end | supported |
| synonym | words replaced by synonyms ("showed" → "demonstrated") | supported |
| fusion | two adjacent sentences joined into one | supported |
| split | the first clause of a compound sentence | supported |
| changed_number | a dose/number/percentage changed | contradicted |
| flipped_negation | a negation removed or added | contradicted |
| exclusivity | a sentence listing drugs A, B → "A is the only treatment ..." | contradicted |
| wrong_population | children ↔ adults, women ↔ men, ... | unsupported |
| wrong_source | a sentence checked against another passage on a related topic | unsupported |
| removed_hedge | "may reduce" → "reduces", "suggest" → "show" | partial |

The edits are generated, not written by clinicians; they model the errors the issue lists, and
the set measures the verifier on exactly those.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from medcite.text.drugs import DrugLexicon
from medcite.text.sentences import split_sentences
from medcite.verify import signals

PER_KIND = 30
SEED = 6
WINDOW = 2  # sentences on each side of the source sentence in the passage


_GENERIC_MESH = frozenset(
    {
        "Humans",
        "Adult",
        "Female",
        "Male",
        "Aged",
        "Adolescent",
        "Child",
        "Infant",
        "Animals",
        "Middle Aged",
        "Aged, 80 and over",
        "Child, Preschool",
        "Infant, Newborn",
        "Young Adult",
        "Retrospective Studies",
        "Prospective Studies",
        "Treatment Outcome",
        "Risk Factors",
        "Follow-Up Studies",
        "Cross-Sectional Studies",
        "Time Factors",
        "Cohort Studies",
        "Questionnaires",
        "Surveys and Questionnaires",
        "Pregnancy",
    }
)


@dataclass(frozen=True, slots=True)
class Pair:
    id: str
    kind: str
    label: str
    statement: str
    passage: str
    source: str


@dataclass(frozen=True, slots=True)
class _Sentence:
    doc_id: str
    topic: str
    sentences: tuple[str, ...]
    index: int

    @property
    def text(self) -> str:
        return self.sentences[self.index]

    def passage(self) -> str:
        low, high = max(0, self.index - WINDOW), self.index + WINDOW + 1
        return " ".join(self.sentences[low:high])


def _documents(data: Path) -> Iterator[tuple[str, str, list[str]]]:
    """(doc id, topic, paragraphs) of PubMedQA abstracts and MedQuAD pages, in file order."""
    with (data / "pubmedqa" / "corpus.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            specific = [m for m in row.get("meshes", []) if m not in _GENERIC_MESH]
            yield f"pmid:{row['pmid']}", specific[0] if specific else "", row["contexts"]
    with (data / "medquad" / "medquad.jsonl").open(encoding="utf-8") as fh:
        for number, line in enumerate(fh):
            if number % 4:
                continue  # every fourth page keeps the mix of sources balanced
            row = json.loads(line)
            yield f"medquad:{row['id']}", row.get("focus", ""), [row["answer"]]


def _sentences(data: Path) -> list[_Sentence]:
    found = []
    for doc_id, topic, paragraphs in _documents(data):
        for paragraph in paragraphs:
            spans = split_sentences(paragraph)
            texts = tuple(paragraph[s:e] for s, e in spans)
            for index, text in enumerate(texts):
                if 8 <= len(text.split()) <= 45 and text.endswith("."):
                    found.append(_Sentence(doc_id, topic, texts, index))
    return found


# -- edits: each returns the statement or None when the sentence does not fit -------------

_LEADING_CLAUSE = re.compile(
    r"^((?:In|Among|For|After|During|Compared with|In addition to)\b[^,]{5,80}),\s+(.+)\.$"
)
_SYNONYMS = {
    "showed": "demonstrated",
    "shown": "demonstrated",
    "patients": "individuals",
    "significantly": "markedly",
    "decreased": "reduced",
    "common": "frequent",
    "symptoms": "manifestations",
    "doctor": "physician",
    "disease": "illness",
    "treatment": "therapy",
    "studies": "trials",
    "large": "big",
    "often": "frequently",
    "help": "assist",
    "people": "persons",
    "risk": "likelihood",
    "found": "observed",
}
_NEGATED_VERB = re.compile(r"\b(was|were|is|are|did|does|do|could|can|has|have)\s+not\s+")
_PLAIN_VERB = re.compile(r"\b(was|were|is|are)\s+(?!not\b)(?=[a-z]{4,})")
_NO_SIGNIFICANT = re.compile(r"\bno (significant|statistically significant) ")
_HEDGED = re.compile(r"\b(may|might|could)\s+(?!not\b)(be|have|[a-z]{3,})\b")
_SUGGEST = re.compile(r"\bsuggest(s|ed)?\b")
_POPULATION_SWAP = {
    "children": "adults",
    "child": "adult",
    "adults": "children",
    "adult": "child",
    "women": "men",
    "men": "women",
    "infants": "adults",
    "elderly": "children",
    "older adults": "children",
    "adolescents": "older adults",
    "pediatric": "adult",
    "mice": "humans",
    "rats": "humans",
}
_POPULATION = re.compile(
    r"\b(" + "|".join(sorted(_POPULATION_SWAP, key=len, reverse=True)) + r")\b"
)


def verbatim(s: _Sentence) -> str | None:
    return s.text if not signals.hedges(s.text) else None


def reorder(s: _Sentence) -> str | None:
    match = _LEADING_CLAUSE.match(s.text)
    if not match:
        return None
    lead, rest = match.groups()
    return rest[0].upper() + rest[1:] + " " + lead[0].lower() + lead[1:] + "."


def synonym(s: _Sentence) -> str | None:
    words = s.text.split(" ")
    changed = [_SYNONYMS.get(w, w) for w in words]
    if sum(a != b for a, b in zip(words, changed, strict=True)) < 1:
        return None
    return " ".join(changed)


def fusion(s: _Sentence) -> str | None:
    if s.index + 1 >= len(s.sentences):
        return None
    second = s.sentences[s.index + 1]
    if not 6 <= len(second.split()) <= 30 or not second.endswith("."):
        return None
    return s.text[:-1] + "; " + second[0].lower() + second[1:]


def split(s: _Sentence) -> str | None:
    head, sep, _ = s.text.partition(", and ")
    if not sep or len(head.split()) < 7:
        return None
    return head + "."


def changed_number(s: _Sentence) -> str | None:
    for quantity in signals.quantities(s.text):
        if re.search(re.escape(quantity.text) + r"\s*(?:CI|confidence)", s.text):
            continue  # "95% CI" names an interval, it is not a finding
        if quantity.low != quantity.high:
            continue
        if quantity.unit in {"mg", "mg/kg", "%", "mcg", "g", "ml", "iu", "unit", "week", "month"}:
            match = re.search(r"\d+(?:\.\d+)?", quantity.text)
            if match is None:
                continue
            value = float(match.group(0))
            new = value * 2 if value < 50 else value / 2
            shown = f"{new:g}"
            edited = quantity.text[: match.start()] + shown + quantity.text[match.end() :]
            return s.text.replace(quantity.text, edited, 1)
    return None


def flipped_negation(s: _Sentence) -> str | None:
    if _NO_SIGNIFICANT.search(s.text):
        return _NO_SIGNIFICANT.sub(r"a \1 ", s.text, count=1)
    if _NEGATED_VERB.search(s.text):
        return _NEGATED_VERB.sub(r"\1 ", s.text, count=1)
    if not signals.negations(s.text) and _PLAIN_VERB.search(s.text):
        return _PLAIN_VERB.sub(r"\1 not ", s.text, count=1)
    return None


def removed_hedge(s: _Sentence) -> str | None:
    def firm(match: re.Match[str]) -> str:
        verb = match.group(2)
        if verb == "be":
            return "is"
        if verb == "have":
            return "has"
        return verb + ("es" if verb.endswith(("s", "sh", "ch", "x")) else "s")

    hedges = signals.hedges(s.text)
    if re.search(r"\b(?:may|might|could) not\b", s.text):
        return None
    if _HEDGED.search(s.text) and set(hedges) <= {"may", "might", "could"}:
        return _HEDGED.sub(firm, s.text)
    if _SUGGEST.search(s.text) and set(hedges) <= {"suggest", "suggests", "suggested"}:
        return _SUGGEST.sub(lambda m: "show" + (m.group(1) or ""), s.text, count=1)
    return None


def wrong_population(s: _Sentence) -> str | None:
    match = _POPULATION.search(s.text)
    if not match:
        return None
    swapped = _POPULATION_SWAP[match.group(1)]
    if re.search(rf"\b{swapped}\b", s.passage(), re.IGNORECASE):
        return None  # the passage speaks of both groups: the edit would not be an error
    return s.text[: match.start()] + swapped + s.text[match.end() :]


def _exclusivity(drugs: DrugLexicon) -> Callable[[_Sentence], str | None]:
    cues = re.compile(r"\b(treat|treated|treatment|therapy|therapies|drugs?|medications?)\b")

    def exclusivity(s: _Sentence) -> str | None:
        named = sorted(drugs.find(s.text))
        if len(named) < 2 or not cues.search(s.text) or not s.doc_id.startswith("medquad:"):
            return None
        return f"{named[0].capitalize()} is the only treatment for {s.topic.lower()}."

    return exclusivity


EDITS: dict[str, tuple[str, Callable[[_Sentence], str | None]]] = {
    "verbatim": ("supported", verbatim),
    "reorder": ("supported", reorder),
    "synonym": ("supported", synonym),
    "fusion": ("supported", fusion),
    "split": ("supported", split),
    "changed_number": ("contradicted", changed_number),
    "flipped_negation": ("contradicted", flipped_negation),
    "wrong_population": ("unsupported", wrong_population),
    "removed_hedge": ("partial", removed_hedge),
}


def build(data: Path, per_kind: int = PER_KIND) -> list[Pair]:
    """The labelled pairs, ``per_kind`` of each kind (fewer if the data has fewer)."""
    rng = random.Random(SEED)
    sentences = _sentences(data)
    rng.shuffle(sentences)
    edits = dict(EDITS)
    edits["exclusivity"] = ("contradicted", _exclusivity(DrugLexicon.load()))
    pairs: list[Pair] = []
    used: set[tuple[str, str]] = set()
    for kind, (label, edit) in edits.items():
        taken = 0
        for s in sentences:
            if taken == per_kind:
                break
            key = (s.doc_id, s.text)
            statement = edit(s) if key not in used else None
            if statement and statement != s.text or kind == "verbatim" and statement:
                used.add(key)
                taken += 1
                pairs.append(Pair(f"{kind}-{taken}", kind, label, statement, s.passage(), s.doc_id))
    pairs += _wrong_sources(sentences, used, per_kind, rng)
    return pairs


def _wrong_sources(
    sentences: list[_Sentence], used: set[tuple[str, str]], count: int, rng: random.Random
) -> list[Pair]:
    """A sentence against a passage from another document that shares its topic word."""
    by_topic: dict[str, list[_Sentence]] = {}
    for s in sentences:
        if s.topic:
            by_topic.setdefault(s.topic.split()[0].lower(), []).append(s)
    pairs = []
    for s in sentences:
        if len(pairs) == count:
            break
        if (s.doc_id, s.text) in used or not s.topic or signals.hedges(s.text):
            continue
        others = [o for o in by_topic[s.topic.split()[0].lower()] if o.doc_id != s.doc_id]
        if not others:
            continue
        other = rng.choice(others)
        if s.text in other.passage():
            continue  # boilerplate shared by many pages is no wrong source
        used.add((s.doc_id, s.text))
        pairs.append(
            Pair(
                f"wrong_source-{len(pairs) + 1}",
                "wrong_source",
                "unsupported",
                s.text,
                other.passage(),
                other.doc_id,
            )
        )
    return pairs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("eval/verify/pairs.jsonl"))
    parser.add_argument("--per-kind", type=int, default=PER_KIND)
    args = parser.parse_args(argv)
    pairs = build(args.data, args.per_kind)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for pair in pairs:
            fh.write(json.dumps(asdict(pair), ensure_ascii=False) + "\n")
    print(f"{len(pairs)} pairs written to {args.out}")


if __name__ == "__main__":
    main()
