"""What the rules look for in a sentence: quantities (:mod:`medcite.verify.quantities`),
negation, hedges, exclusivity, approval claims, populations, direction words and clauses; and
the stems alignment compares. Pure functions over text; no corpus, no state.

Each detector names its cue words so a verdict can say exactly what it saw.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from medcite.text.terms import STOPWORDS, american, stem, tokens
from medcite.verify.quantities import NUMBER_WORDS, Quantity, quantities

__all__ = ["Quantity", "quantities"]


class Cues:
    """Cue words matched by one pattern; calling it returns them, lower-cased, in order."""

    def __init__(self, pattern: str, doc: str) -> None:
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self.__doc__ = doc

    def __call__(self, text: str) -> list[str]:
        return [m.group(0).lower() for m in self.pattern.finditer(text)]


# Contractions with or without the apostrophe: some pages lost theirs ("you shouldnt drink").
_NOT = r"(?:do|does|did|is|are|was|were|wo|should|would|could|ca|must|has|have|had|need)n['’]?t"
# Negation of what a sentence says, not of a noun in it: "without raising the risk" negates,
# "women without cancer" and "lack of FGF21" name a group or a condition; "not only X but (also)
# Y" adds to X.
negations = Cues(
    r"\b(?:not(?!\s+(?:only|just|merely)\b[^.;]*\bbut\b)|no|never|none|neither|nor|without(?=\s+\w+ing\b)|cannot|can['’]t|"
    + _NOT
    + r"|"
    r"failed to|fails to|fail to|lacks|lacked|"
    r"unable to|incapable of|unrelated to|"
    r"ineffective|insignificant|non-significant|nonsignificant)\b",
    'Negation cues: "did not reduce" → ["not"]; also "failed to", "no evidence", "without '
    'raising".',
)
hedges = Cues(
    r"\b(?:may|might|could|possibly|potentially|perhaps|probably|likely|unlikely|suggests?|"
    r"suggested|suggesting|appears? to|seems? to|promising|promise|preliminary|"
    r"is thought to|are thought to|hypothesi[sz]ed|putative|uncertain|unclear|"
    r"associated with|linked to|trend)\b",
    'Hedge cues: "may reduce", "has shown promise", "is associated with".',
)
# Hedge cues that in an abstract report what was measured, the finding itself ("was
# associated with a lower rate"): a statement that says it firmly is not surer than its source
# (SciFact train: as many true statements as false ones rest on one).
REPORTED = frozenset({"associated with", "linked to"})
qualifiers = Cues(
    r"\b(?:usually|generally|often|typically|sometimes|in most cases|in some|some|most|"
    r"many|can|tends? to|frequently|commonly)\b",
    'Words by which a statement itself is qualified ("usually", "in some patients", "can").',
)
# Not exclusivity: an exclusivity denied ("does not solely indicate"), "only" that belittles
# ("only a modest impact", "only partially") and "single" that names a kind ("single
# nucleotide variant", "single-cell").
_BELITTLED = r"(?:a\s+)?(?:modest|small|slight|minor|few|limited|marginal|weak|partial)\w*"
exclusivity = Cues(
    r"(?<!\bnot )\b(?:only(?!\s+" + _BELITTLED + r")|sole|solely|exclusively|"
    r"single(?![- ](?:nucleotide|cell|molecule|strand|arm|blind|cent(?:er|re)|dose))|"
    r"no other|none other|the one|first-line|first line|drug of choice|treatment of choice|"
    r"gold standard|no alternatives?|"
    r"no (?:other )?(?:approved |effective |available )?(?:treatments?|therap(?:y|ies)|drugs?|"
    r"options?|cures?) (?:exists?|are available|is available))\b",
    'Exclusivity cues: "the only approved therapy", "no other treatment exists", "first-line".',
)
approvals = Cues(
    r"\b(?:fda[- ]approved|approved|approval|licensed|authori[sz]ed|indicated for|"
    r"label(?:l)?ed for)\b",
    'Regulatory-status cues: "FDA-approved", "licensed", "indicated for".',
)


# A contrast set off by commas ("memory, but not naive, CD4+ T cells enhance ...") and a
# concession ("the allele, despite not being associated with susceptibility, is associated
# with a milder course") deny something beside the claim, not the claim.
_NOT_THIS = r"\s+not\s+[^,;()]{1,40}?,"  # "... not naive," after "but" or "and"
_BUT_ALSO = r"(?!" + _NOT_THIS + r"|\s+also\b)"  # "not only X, but also Y" is one clause
_CONTRAST = r",\s*(?:but|and)" + _NOT_THIS
_ASIDE = re.compile(
    r"\([^()]*\)|\[[^\[\]]*\]|" + _CONTRAST + r"|,\s*(?:despite|in spite of)\s+[^,;()]{3,80}?,"
)


def without_asides(text: str) -> str:
    """``text`` without its asides: parenthetical ones ("(vs no high biomarkers)", "(n = 12;
    not significant)" qualify a figure, they do not negate what the sentence says), a
    contrast ", but not naive," and a concession ", despite not being associated ...,"."""
    return _ASIDE.sub(" ", text)


def is_negated(text: str) -> bool:
    """Odd number of negation cues outside parentheses: "no evidence that X does not work"
    counts as positive."""
    return len(negations(without_asides(text))) % 2 == 1


NEGATION_SCOPE = 4  # words after a negation cue that it negates


def negated_words(text: str) -> frozenset[str]:
    """Stems of the words a negation applies to: the first ``NEGATION_SCOPE`` words after
    each cue that are not stop words ("did not reduce relapses" → reduc, relaps). A negation
    says nothing about a claim none of these words are in ("CCL19, which lacks anchoring
    residues" does not deny that CCL19 is a CCR7 ligand)."""
    plain = without_asides(text)
    found: set[str] = set()
    for match in negations.pattern.finditer(plain):
        after = [t for t in tokens(plain[match.end() :]) if t not in STOPWORDS]
        found.update(word_stem(t) for t in after[:NEGATION_SCOPE])
    return frozenset(found)


def all_stems(text: str) -> frozenset[str]:
    """Stems of every word that is not a stop word, direction and cue words included."""
    return frozenset(word_stem(t) for t in tokens(text) if t not in STOPWORDS)


# Population groups; two mentions from different groups describe different people.
POPULATIONS: dict[str, tuple[str, ...]] = {
    "children": (
        "child",
        "children",
        "pediatric",
        "paediatric",
        "infant",
        "infants",
        "neonate",
        "neonates",
        "newborn",
        "newborns",
        "adolescent",
        "adolescents",
        "boys",
        "girls",
        "kids",
        "toddlers",
    ),
    "adults": ("adult", "adults"),
    "older adults": ("elderly", "older", "aged", "geriatric"),
    "pregnant women": ("pregnant", "pregnancy", "gestational"),
    "women": ("women", "woman", "female", "females", "postmenopausal", "premenopausal"),
    "men": ("men", "man", "male", "males"),
    # "human" alone is mostly an adjective ("human embryonic stem cells", "human papilloma
    # virus"): the source of a cell or a virus, not who was studied.
    "humans": ("humans",),
    "animals": (
        "mice",
        "mouse",
        "rats",
        "rat",
        "murine",
        "rodent",
        "rodents",
        "animal",
        "animals",
        "dogs",
        "pigs",
        "primates",
    ),
}
_GROUP_OF = {word: group for group, words in POPULATIONS.items() for word in words}


def populations(text: str) -> frozenset[str]:
    """Population groups named: ``"in children with asthma"`` → ``{"children"}``."""
    return frozenset(_GROUP_OF[t] for t in tokens(text) if t in _GROUP_OF)


# Direction words, by axis: a statement on one side of an axis where its source sentence is
# only on the other ("lowers the risk" / "increases the risk", "safer" / "riskier") says the
# opposite without any negation word. Matched as word prefixes.
_DIRECTION_AXES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "amount",
        (
            "increas",
            "rais",
            "rise",
            "rises",
            "rising",
            "rose",
            "higher",
            "elevat",
            "more",
            "greater",
            "boost",
            "enhanc",  # also "activity": "enhances production" against "diminishes" it
            "accelerat",
            "speed",
            "faster",
            "upregulat",
            "up-regulat",
            "larger",
            "longer",
            "extend",
            "prolong",
        ),
        (
            "decreas",
            "reduc",
            "lower",
            "fall",
            "fell",
            "drop",
            "less",
            "fewer",
            "smaller",
            "slow",
            "cut",
            "halv",
            "diminish",
            "declin",
            "shorten",
            "downregulat",
            "down-regulat",
            "shorter",
            "loss",
        ),
    ),
    (
        "effect",
        ("improv", "better", "benefi", "help", "protect", "rescu"),
        ("worse", "harm", "impair", "damag"),
    ),
    (
        "safety",
        ("safe", "safer", "safest", "safely", "harmless"),
        ("risky", "riskier", "riskiest", "dangerous", "unsafe", "hazard", "toxic"),
    ),
    (
        "course",
        ("stop", "discontinu", "quit", "ceas", "halt", "withdr"),
        ("continu", "keep", "maintain", "resum"),
    ),
    (
        "activity",
        ("promot", "activat", "induc", "stimulat", "enhanc", "encourag"),
        ("inhibit", "suppress", "deactivat", "inactivat", "repress", "imped"),
    ),
    ("rank", ("superior",), ("inferior",)),
    ("sign", ("positive",), ("negative",)),
    ("gain", ("gain",), ("loss",)),
)


def directions(text: str) -> frozenset[tuple[int, int]]:
    """Direction cues as (axis index, side): "reduced mortality" → {(0, 1)}; a "tumor
    suppressor" or "tumor-suppressive miR-193a" is a kind of gene, not a direction."""
    words = tokens(text)
    return frozenset(
        cue
        for before, word in zip(["", *words], words, strict=False)
        if before not in _NAMED_BY_ROLE
        for cue in _word_directions(word)
    )


_NAMED_BY_ROLE = frozenset({"tumor", "tumour"})


@lru_cache(maxsize=65536)
def _word_directions(word: str) -> tuple[tuple[int, int], ...]:
    return tuple(
        (index, side)
        for index, (_, *sides) in enumerate(_DIRECTION_AXES)
        for side, prefixes in enumerate(sides)
        if word.startswith(prefixes)
    )


def opposed(
    said: frozenset[tuple[int, int]], source: frozenset[tuple[int, int]]
) -> tuple[int, int] | None:
    """The statement's direction that the source only contradicts (None if there is none)."""
    for index, side in sorted(said):
        if (index, 1 - side) in source and (index, side) not in source:
            return index, side
    return None


def reversed_direction(said: str, source: str) -> tuple[int, int] | None:
    """The statement's direction that ``source`` reverses: the source takes only the other
    side of its axis, or takes this side too but only of other things, and the other side of
    what the statement's direction is about ("Greater consumption of whole fruits is
    associated with a lower risk" reverses "whole fruits increase the risk": its "greater" is
    about consumption, its "lower" about the risk)."""
    theirs = directions(source)
    for index, side in sorted(directions(said)):
        if (index, 1 - side) not in theirs:
            continue
        if (index, side) not in theirs:
            return index, side
        about = directed_at(said, (index, side))
        agrees = directed_at(source, (index, side)) & about
        # "improves function and pain more than" compares the improvement; it raises no pain.
        if not agrees and directed_at(source, (index, 1 - side), skip=COMPARATIVES) & about:
            return index, side
    return None


COMPARATIVES = frozenset({"more", "less"})


def repeats_the_direction(said: str, source: str, axis: int) -> bool:
    """Whether every word by which ``source`` takes a side on ``axis`` is in ``said`` too:
    "more effective in reducing pain" against "effective in reducing pain" repeats the
    source's "reducing"; its "more" compares, it does not reverse."""
    words = [t for t in tokens(source) if any(i == axis for i, _ in _word_directions(t))]
    return bool(words) and set(words) <= set(tokens(said))


DIRECTED_AT = 2  # content words either side of a direction word that say what it is about


def directed_at(
    text: str, axis_side: tuple[int, int], skip: frozenset[str] = frozenset()
) -> frozenset[str]:
    """Stems of the content words next to each of ``text``'s direction words on ``axis_side``
    (up to ``DIRECTED_AT`` either side, other stop words skipped): what the direction is about
    ("accelerates the resolution of fibrosis" → resolution, fibrosis; "weight loss" → weight);
    direction words in ``skip`` are passed over."""
    words = [t for t in tokens(text) if t not in STOPWORDS or _is_direction_word(t)]
    found: set[str] = set()
    for i, word in enumerate(words):
        if word not in skip and axis_side in _word_directions(word):
            near = words[max(0, i - DIRECTED_AT) : i] + words[i + 1 : i + 1 + DIRECTED_AT]
            found.update(s for t in near if (s := _content_stem(t)))
    return frozenset(found)


def direction_words(axis_side: tuple[int, int]) -> str:
    index, side = axis_side
    name, *sides = _DIRECTION_AXES[index]
    return "/".join(sides[side][:3]) + "…"


def _is_direction_word(word: str) -> bool:
    return bool(_word_directions(word))


# Clause boundaries: "While X, Y", "X, but Y", "X; Y", "X, even if Y". A negation in one clause
# says nothing about the other ("While steroids do not affect the course of MS, they can reduce
# attacks"). A clause opened by "while", "although", "even if" ... is subordinate: background
# to the main clause, which carries the claim.
_LEADING_SUBORDINATE = re.compile(
    r"^\s*(?:while|although|though|whereas|even though|even if|if|when|since|because|"
    r"unless|once)\b[^,;]{3,}?,\s*",
    re.IGNORECASE,
)
# A trailing inference (", suggesting that ...", ", possibly because ...") is subordinate too:
# it hedges the explanation, not the finding before it.
_CLAUSE_BREAK = re.compile(
    r"\s*(?:[,;]\s*(but|however|yet)\b" + _BUT_ALSO + r"|[,;]\s*(while|whereas|"
    r"although|though|even though|even if|even when)\b|(;)|\s(-)\s|"
    r"\b(but)\b" + _BUT_ALSO + r"|,\s*(?=(suggesting|indicating|implying|"
    r"(?:possibly|probably|perhaps|presumably) (?:because|due to))\b))\s*",
    re.IGNORECASE,
)


class Clause(NamedTuple):
    text: str
    subordinate: bool


def clauses(text: str) -> list[Clause]:
    """``text`` cut at clause boundaries (a leading subordinate clause, "but", ";", a trailing
    "even if ..." or ", suggesting that ..."), each marked subordinate or main."""
    found: list[Clause] = []
    lead = _LEADING_SUBORDINATE.match(text)
    if lead:
        found.append(Clause(text[: lead.end()].rstrip(" ,"), True))
        text = text[lead.end() :]
    subordinate, start = False, 0
    for match in _CLAUSE_BREAK.finditer(text):
        found.append(Clause(text[start : match.start()], subordinate))
        subordinate, start = bool(match.group(2) or match.group(6)), match.end()
    found.append(Clause(text[start:], subordinate))
    kept = [Clause(c.text.strip(), c.subordinate) for c in found if len(c.text.split()) >= 2]
    return kept or [Clause(text.strip(), False)]


# Cue words the rules judge; they do not count towards lexical alignment (nor do direction
# words, numbers in words and units: the rules compare those).
_CUE_WORDS = frozenset(
    """not no never none neither nor without cannot failed fail fails lack lacks lacked absence
    unable may might could possibly potentially perhaps probably likely unlikely suggest suggests
    suggested suggesting appear appears seem seems promising promise preliminary only sole solely
    exclusively single other first line first-line choice usually generally often typically
    sometimes about almost nearly roughly approximately around half halved third thirds quarter
    quarters fifth fifths tenth tenths twice once thrice times fold percent daily weekly monthly
    every per mg milligrams micrograms mcg grams kg ml hours hour days day weeks week months
    month years year minutes minute""".split()
) | frozenset(NUMBER_WORDS)
# Same meaning, one stem: consumer pages and abstracts say the same thing in different words.
_SYNONYMS = {
    "physician": "doctor",
    "clinician": "doctor",
    "provider": "doctor",
    "medication": "drug",
    "medicine": "drug",
    "advis": "recommend",
    "patient": "people",
    "person": "people",
    "individual": "people",
    "succeed": "success",
    "successful": "success",
    "pregnancy": "pregnan",
    "pregnant": "pregnan",
    "injection": "inject",
    "shot": "inject",
    "tablet": "pill",
    "children": "child",
    "women": "woman",
    "men": "man",
    "effectiveness": "effect",
    "efficacy": "effect",
}
_DOUBLED = re.compile(r"([b-df-hj-np-tv-z])\1$")


def word_stem(word: str) -> str:
    """:func:`~medcite.text.terms.stem`, made to meet across forms: "controlled"/"control",
    "severe"/"severity", "poorly"/"poor", British and American spellings, and the synonyms
    above."""
    word = american(word)
    stemmed = stem(word)
    if stemmed.endswith("ly") and len(stemmed) > 5:
        stemmed = stemmed[:-2]
    elif stemmed.endswith("ity") and len(stemmed) > 6:
        stemmed = stemmed[:-3]
    if len(stemmed) > 4 and stemmed.endswith("e"):
        stemmed = stemmed[:-1]
    stemmed = _derived(stemmed)
    if stemmed != word and len(stemmed) > 4:
        stemmed = _DOUBLED.sub(r"\1", stemmed)
    return _SYNONYMS.get(stemmed, _SYNONYMS.get(word, stemmed))


# Derivational endings a paraphrase changes ("expressed"/"expression", "associated"/
# "association", "effective"/"effect", "transcriptional"/"transcription"), longest first;
# each leaves at least five letters, so short words keep their ending.
_DERIVED = ("ional", "ssion", "ativ", "iv", "at")


def _derived(stemmed: str) -> str:
    for ending in _DERIVED:
        if stemmed.endswith(ending) and len(stemmed) - len(ending) >= 5:
            keep = {"ional": "ion", "ssion": "ss"}.get(ending, "")
            return stemmed[: -len(ending)] + keep
    return stemmed


@lru_cache(maxsize=16384)
def content_stems(text: str) -> frozenset[str]:
    """Stems that carry the statement's content: no stop words, cue or direction words,
    numbers or units."""
    return frozenset(stemmed for t in tokens(text) if (stemmed := _content_stem(t)))


@lru_cache(maxsize=65536)
def _content_stem(token: str) -> str:
    """The token's stem, or "" when it carries no content of its own."""
    if (
        token in STOPWORDS
        or token in _CUE_WORDS
        or len(token) <= 1
        or token[0].isdigit()
        or _is_direction_word(token)
    ):
        return ""
    return word_stem(token)


def name_stems(names: frozenset[str]) -> frozenset[str]:
    """The content stems of every name (drug names in a statement or passage)."""
    return frozenset(s for name in names for s in content_stems(name))
