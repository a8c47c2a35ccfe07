"""What a clinician sees in one answer, measured without medcite's verifier as the judge.

Every function reads an answer dict (``answer.schema.json``) and the question's own labels
(:class:`medcite.eval.answer_questions.Question`); patterns are searched case-insensitively.

- **key-fact recall**: share of ``key_facts`` with at least one alternative in the answer's
  statements (bottom line and sections; not warnings, not references);
- **expected source cited**: whether any ``expected_documents`` id is among the references;
- **topic lock**: a cited statement is on topic when every reference it cites contains a
  topic term in its title or its passage text (``text`` and every ``passages[].text``);
- **abstention** (unanswerable questions): the answer says the corpus has insufficient
  evidence — ``abstained`` or ``insufficient_evidence`` true, or the bottom line says so in
  words (:data:`INSUFFICIENT`) — and its bottom line cites nothing, so no bottom line is built
  from unrelated text; ``names_missing`` checks that the answer names what is missing;
- **dangling antecedent**: a statement that opens by leaning on text it does not carry
  (:data:`DANGLING`: "This drug…", "However, …", "They …", "The disorder …");
- **section fit**: a statement under a dosing, emerging, evidence-gap, pre-treatment, safety or
  interactions section holds the content that section promises (:data:`SECTION_CONTENT`) and
  is on topic (a dose of another disease's drug does not fit "Dosing"); other sections are
  not judged;
- **scaffolding**: a statement that opens with an abstract's section label ("OBJECTIVE To
  test…", "Design, Setting, and Patients…", :data:`SCAFFOLDING`);
- **topic read**: the topic the question was read as (``question_reading.topic``) is named by
  a topic term — a misread topic ("ultrasound" for a liver-cancer question) locks the answer
  to the wrong subject;
- **aspect coverage**: every aspect asked has a section whose title names it
  (:data:`ASPECT_TITLES`) or is declared not found in the answer's own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from medcite.eval.answer_questions import Alternatives, matches


@dataclass(frozen=True, slots=True)
class Shown:
    """One statement as the reader sees it: where it sits and what it cites."""

    section: str  # the section kind, "bottom_line" for the bottom line
    title: str
    text: str
    citations: tuple[int, ...]
    doc_ids: tuple[str, ...] = ()  # per citation, the reference's document
    passage_ids: tuple[str, ...] = ()  # per citation, the passage its evidence points at


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


INSUFFICIENT = _any(
    r"\binsufficient evidence\b",
    r"\bnot enough evidence\b",
    r"\bno (?:evidence|passage|source|statement)s? in this corpus\b",
    r"\bthis corpus (?:holds|has|contains) nothing\b",
    r"\bcannot (?:be )?answer",
)

# Openings that need an antecedent the statement itself does not give: "The drug is…" does,
# "The drug Xyrem…" names its drug, "It is important to…" is an expletive.
DANGLING = re.compile(
    r"^\W*(?:"
    r"(?:this|these|those|such)\b"
    r"|that (?:drug|medicine|medication|therapy|treatment|procedure|condition|disease|study)\b"
    r"|(?:it|its|it's|they|them|their|he|she|his|her)\b"
    r"|the (?:drugs?|medicines?|medications?|therap(?:y|ies)|treatments?|procedures?|agents?"
    r"|compounds?|condition|disease|disorder|syndrome|infection|virus|parasite|latter|former"
    r"|same|patients|children)\b(?=,| (?:is|are|was|were|may|might|can|could|should|must|will"
    r"|would|has|have|had|does|do|did|also|often|usually|then|alone|itself|works?|causes?|helps?"
    r"|reduces?|increases?|decreases?|improves?|affects?|leads?|results?|appears?|seems?|begins?"
    r"|starts?|occurs?|acts?|blocks?|lowers?|raises?|prevents?|treats?|involves?|requires?)\b)"
    r"|(?:however|but|also|additionally|in addition(?! to)|furthermore|moreover|therefore|thus"
    r"|hence|consequently|nevertheless|nonetheless|in contrast|similarly|likewise|instead|otherwise"
    r"|as a result|for this reason|taken together"
    r"|in (?:this|these|such) (?:case|cases|patients|studies|study))\b"
    r")",
    re.IGNORECASE,
)
EXPLETIVE = re.compile(
    r"^\W*it(?:'s| is| was| has been| may be| can be| seems| appears)"
    r" (?:not |also |now |often |usually |generally |still |very |especially )?"
    r"(?:clear|unclear|known|unknown|important|possible|impossible|recommended|likely|unlikely"
    r"|thought|believed|estimated|best|essential|necessary|difficult|hard|common|rare|advisable"
    r"|suggested|reported|helpful|a good idea|critical|vital)\b",
    re.IGNORECASE,
)

SCAFFOLDING = re.compile(
    r"^\W*(?:(?-i:OBJECTIVES?|BACKGROUND|METHODS?|RESULTS?|CONCLUSIONS?|CONTEXT|DESIGN|SETTING"
    r"|PARTICIPANTS|PATIENTS|INTERVENTIONS?|MAIN OUTCOME MEASURES?|IMPORTANCE|PURPOSE|AIMS?"
    r"|FINDINGS|INTERPRETATION|FUNDING|STUDY DESIGN)\b"
    r"|(?:Objectives?|Importance|Context|Background|Methods|Results|Conclusions?|Interventions)"
    r" (?-i:[A-Z])|Design, Setting|Main Outcomes? and Measures?)",
)

DOSE = (
    r"\b\d+(?:[.,]\d+)?\s?(?:-|to)?\s?\d*(?:[.,]\d+)?\s?"
    r"(?:mg|mcg|µg|micrograms?|milligrams?|grams?|g|ml|mL|units?|IU|mg/kg|mg/m2|mmol)\b"
)
FREQUENCY = (
    r"\b(?:once|twice|three times|four times)\s+(?:a |per |each )?(?:day|daily|week|weekly|month)\b"
    r"|\bevery\s+\d+(?:\s*(?:to|-)\s*\d+)?\s*(?:hours?|days?|weeks?|months?)\b"
    r"|\b(?:daily|weekly|monthly|per day|a day|at bedtime|single dose|second dose)\b"
    r"|\bfor (?:\d+|a few|several) (?:days?|weeks?|months?|years?)\b"
)
ROUTE = (
    r"\b(?:orally|by mouth|oral|intravenous(?:ly)?|(?-i:IV)|subcutaneous(?:ly)?"
    r"|intramuscular(?:ly)?|inhaled|topical(?:ly)?|intrathecal|infusions?|injections?|injected|tablets?|capsules?"
    r"|patch(?:es)?|pills?)\b"
)
INVESTIGATIONAL = (
    r"\binvestigat|\bexperimental\b|\bclinical trials?\b|\btrials?\b|\bphase (?:I{1,3}|[123])\b"
    r"|\bunder (?:study|investigation|development)\b"
    r"|\bbeing (?:studied|tested|developed|evaluated|investigated|devised)\b|\bpromising\b"
    r"|\bnovel\b|\bnew(?:er)? (?:drugs?|treatments?|therap\w+|agents?|approaches)\b"
    r"|\bresearchers?\b|\bstudies? (?:are|is) (?:under way|ongoing)\b|\bearly stages?\b"
    r"|\bpreliminary\b|\bpilot\b|\bpotential (?:new )?(?:treatments?|therap\w+)\b"
)
# An approval statement ("was approved for marketing by the FDA in 2004") is no emerging
# therapy; "the first approved oral therapy for MS, may be effective in HD models" can be.
APPROVED = (
    r"\b(?:was|were|has been|have been|have now been|is|are) approved\b"
    r"|\bapproved (?:for marketing|by the (?:U\.S\. )?(?:FDA|Food and Drug))"
)
GAP = (
    r"\bno (?:known |definitive |absolute )?cure\b|\bnot (?:yet )?(?:known|clear|established|proven"
    r"|understood)\b|\bunknown\b|\bunclear\b|\buncertain|\binsufficient\b"
    r"|\blimited (?:evidence|data|research|information)\b|\black of\b"
    r"|\blittle (?:evidence|information|is known)\b"
    r"|\bnot enough (?:research|evidence|information)\b"
    r"|\bfew studies\b|\bmore research\b|\bfurther (?:research|studies|trials|investigation)\b"
    r"|\bremains? (?:to be|unclear|unknown|controversial)\b|\bcontrovers|\bconflicting\b"
    r"|\binconsistent\b|\bno (?:single|effective|specific|standard|proven|approved|FDA-approved)\b"
    r"|\b(?:has|have)(?:n't| not) been (?:shown|proven|established)\b|\bnot been (?:shown|proven)\b"
    r"|\bno (?:significant |statistically significant )?(?:difference|association|effect|benefit)\b"
    r"|\bdid not (?:find|show|reduce|improve|differ)\b|\bnon-?significant\b|\bnot significant\b"
    r"|\bunproven\b|\bnot (?:been )?validated\b"
)
PRE_TREATMENT = (
    r"\bscreen|\bbefore\b|\bprior to\b|\bbaseline\b|\bmonitor|\bcheck|\btest(?:s|ed|ing)?\b"
    r"|\bvaccin|\bpregnan|\bcontraindicat|\bshould not\b|\bmust not\b|\bavoid|\bevaluat|\bassess"
)
HARM = (
    r"\bside effects?\b|\badverse\b|\brisks?\b|\btoxic|\bcaution|\bavoid|\bserious\b|\bfatal\b"
    r"|\bdeath\b|\bdie\b|\bwarning|\binteract|\bcontraindicat|\bcomplications?\b|\bbleed"
    r"|\bharm|\bdanger|\bshould not\b|\bnot recommended\b|\boverdose|\ballerg|\breactions?\b"
    r"|\bmay cause\b|\bcan cause\b|\bsuspended\b|\bwithdrawn\b|\bboxed\b|\binfections?\b"
    r"|\bleukoencephalopathy\b|\bdamage\b"
)
INTERACTION = (
    r"\binteract|\btogether with\b|\bcombined with\b|\bin combination\b|\bco-?administ"
    r"|\bconcomitant|\bwith other (?:drugs|medicines|medications)\b|\b(?-i:CYP)\w*"
    r"|\bserotonin syndrome\b|\b(?:increase|decrease|raise|lower)[sd]? (?:the )?(?:effect|levels?"
    r"|concentrations?)\b"
)

# Section kind → (the pattern its statements must match, the pattern they must not match).
SECTION_CONTENT: dict[str, tuple[re.Pattern[str], re.Pattern[str] | None]] = {
    "dosing": (_any(DOSE, FREQUENCY, ROUTE), None),
    "emerging": (_any(INVESTIGATIONAL), _any(APPROVED)),
    "evidence_gap": (_any(GAP), None),
    "pre_treatment": (_any(PRE_TREATMENT), None),
    "pitfalls": (_any(HARM), None),
    "safety": (_any(HARM), None),
    "serious": (_any(HARM), None),
    "interactions": (_any(INTERACTION), None),
}
# A section without a known kind (an LLM composer's) is judged by its title.
TITLE_KINDS: list[tuple[re.Pattern[str], str]] = [
    (_any(r"\bdos(?:e|es|ing|age)\b", r"\badministration\b"), "dosing"),
    (_any(r"\bemerging\b", r"\binvestigational\b", r"\bexperimental\b"), "emerging"),
    (_any(r"\bevidence gap\b", r"\bunknowns?\b"), "evidence_gap"),
    (_any(r"\bbefore starting\b", r"\bpre-?treatment\b", r"\bmonitoring\b"), "pre_treatment"),
    (_any(r"\bpitfalls?\b", r"\bsafety\b", r"\badverse\b", r"\bside effects?\b"), "safety"),
    (_any(r"\binteractions?\b"), "interactions"),
]
ASPECT_TITLES: dict[str, re.Pattern[str]] = {
    "treatment": _any(
        r"\btreat",
        r"\btherap",
        r"\boptions?\b",
        r"\bmanag",
        r"\bdrugs?\b",
        r"\bmedicines?\b",
        r"\bmedications?\b",
    ),
    "prevention": _any(r"\bprevent", r"\bprophyla", r"\bavoid"),
    "prognosis": _any(r"\boutlook\b", r"\bprognos", r"\brecover", r"\bcourse\b"),
    "diagnosis": _any(r"\bdiagnos", r"\btests?\b", r"\bwork-?up\b", r"\bclinical features\b"),
    "adverse_effects": _any(
        r"\badverse\b",
        r"\bside effects?\b",
        r"\bsafety\b",
        r"\brisks?\b",
        r"\bpitfalls?\b",
        r"\bharms?\b",
    ),
    "cause": _any(r"\bcauses?\b", r"\bgenetic", r"\binherit", r"\brisk factors?\b"),
    "dosing": _any(r"\bdos(?:e|es|ing|age)\b", r"\badministration\b", r"\bregimen"),
    "interactions": _any(r"\binteractions?\b", r"\bcombin"),
    "evidence": _any(
        r"\bstud(?:y|ies)\b", r"\bfindings?\b", r"\bfound\b", r"\bevidence\b", r"\btrials?\b"
    ),
}
NOT_FOUND = _any(
    r"\bnot found\b",
    r"\bnothing (?:on|about)\b",
    r"\bno (?:passage|statement|source)",
    r"\binsufficient\b",
    r"\bdoes not (?:address|cover)\b",
)


def shown_statements(answer: dict[str, Any]) -> list[Shown]:
    """The bottom line, then every section statement, in reading order."""
    references = {r["n"]: r for r in answer.get("references", [])}
    placed = [("bottom_line", "", answer["bottom_line"])]
    for section in answer.get("sections", []):
        kind = section.get("kind") or _kind_from_title(section["title"])
        placed += [(kind, section["title"], s) for s in section["statements"]]
    return [_shown(kind, title, statement, references) for kind, title, statement in placed]


def _shown(
    kind: str, title: str, statement: dict[str, Any], references: dict[int, dict[str, Any]]
) -> Shown:
    """A statement with, per citation, its document and the passage its evidence names (the
    reference's first passage when the evidence names none)."""
    citations = tuple(statement.get("citations", []))
    evidence = {e.get("n"): e.get("passage_id") for e in statement.get("evidence", [])}
    cited = [references.get(n, {}) for n in citations]
    return Shown(
        kind,
        title,
        statement["text"],
        citations,
        tuple(r.get("doc_id", "") for r in cited),
        tuple(
            evidence.get(n) or r.get("passage_id", "")
            for n, r in zip(citations, cited, strict=True)
        ),
    )


def answer_text(answer: dict[str, Any]) -> str:
    return "\n".join(s.text for s in shown_statements(answer))


def key_fact_recall(
    answer: dict[str, Any], key_facts: Sequence[Alternatives]
) -> tuple[float | None, list[Alternatives]]:
    """(share of key facts stated, the facts not stated); None when there are no facts."""
    text = answer_text(answer)
    missed = [fact for fact in key_facts if not matches(fact, text)]
    return (1 - len(missed) / len(key_facts) if key_facts else None), missed


def expected_source_cited(answer: dict[str, Any], expected: Iterable[str]) -> bool:
    return bool(set(expected) & {r["doc_id"] for r in answer.get("references", [])})


def reference_on_topic(reference: dict[str, Any], topic_terms: Sequence[str]) -> bool:
    """Whether a reference's title or any of its passages contains a topic term."""
    texts = [reference.get("title", ""), reference.get("text", "")]
    texts += [p.get("text", "") for p in reference.get("passages", [])]
    return matches(topic_terms, "\n".join(texts))


def on_topic(shown: Shown, answer: dict[str, Any], topic_terms: Sequence[str]) -> bool | None:
    """Whether every reference a statement cites is on topic (None: it cites nothing)."""
    if not shown.citations:
        return None
    references = {r["n"]: r for r in answer.get("references", [])}
    return all(
        n in references and reference_on_topic(references[n], topic_terms) for n in shown.citations
    )


def off_topic_statements(answer: dict[str, Any], topic_terms: Sequence[str]) -> list[Shown]:
    """Cited statements citing at least one reference without any topic term."""
    return [s for s in shown_statements(answer) if on_topic(s, answer, topic_terms) is False]


def topic_lock_rate(answer: dict[str, Any], topic_terms: Sequence[str]) -> float | None:
    """Share of cited statements that are on topic (None when nothing is cited)."""
    cited = [s for s in shown_statements(answer) if s.citations]
    if not cited:
        return None
    return 1 - len(off_topic_statements(answer, topic_terms)) / len(cited)


def topic_read(answer: dict[str, Any], topic_terms: Sequence[str]) -> bool:
    """Whether the question's topic, as read, is named by one of its topic terms."""
    topic = (answer.get("question_reading") or {}).get("topic") or {}
    return bool(topic.get("name")) and matches(topic_terms, topic["name"])


def says_insufficient(answer: dict[str, Any]) -> bool:
    """Whether the answer declares the corpus's evidence insufficient (field or words)."""
    if answer.get("abstained") or answer.get("insufficient_evidence"):
        return True
    return INSUFFICIENT.search(answer["bottom_line"]["text"]) is not None


def abstained(answer: dict[str, Any]) -> bool:
    """An honest abstention: insufficient evidence declared, and no cited bottom line."""
    return says_insufficient(answer) and not answer["bottom_line"].get("citations")


def names_missing(answer: dict[str, Any], missing_terms: Sequence[Alternatives]) -> bool | None:
    """Whether the answer's own words (bottom line, statements, warnings, any ``missing``
    field) name every missing thing; None when the question lists none."""
    if not missing_terms:
        return None
    said = [answer_text(answer), *answer.get("warnings", []), *_strings(answer.get("missing"))]
    text = "\n".join(said)
    return all(matches(group, text) for group in missing_terms)


def dangling(text: str) -> str | None:
    """The opening words a statement leans on without their antecedent, or None."""
    hit = DANGLING.match(text)
    return hit.group(0).strip() if hit and not EXPLETIVE.match(text) else None


def scaffolding(text: str) -> bool:
    return SCAFFOLDING.match(text) is not None


def section_fit(kind: str, text: str) -> bool | None:
    """Whether a statement's content fits its section (None: the section is not judged);
    the eval also wants it on topic, see :func:`fits_section`."""
    if kind not in SECTION_CONTENT:
        return None
    required, forbidden = SECTION_CONTENT[kind]
    return required.search(text) is not None and not (forbidden and forbidden.search(text))


def fits_section(shown: Shown, answer: dict[str, Any], topic_terms: Sequence[str]) -> bool | None:
    """Section fit as reported: the right content, and not about another topic."""
    fit = section_fit(shown.section, shown.text)
    return fit if not fit else on_topic(shown, answer, topic_terms) is not False


def aspect_coverage(answer: dict[str, Any], aspects: Sequence[str]) -> dict[str, bool]:
    """Per aspect asked: a section titled for it, or the answer says it was not found."""
    titles = [s["title"] for s in answer.get("sections", []) if s["statements"]]
    said = [*answer.get("warnings", []), *_strings(answer.get("missing"))]
    said += [s.text for s in shown_statements(answer)]
    covered = {}
    for aspect in aspects:
        pattern = ASPECT_TITLES.get(aspect)
        titled = pattern is not None and any(pattern.search(t) for t in titles)
        declared = pattern is not None and any(
            NOT_FOUND.search(line) and pattern.search(line) for line in said
        )
        covered[aspect] = titled or declared
    return covered


def _kind_from_title(title: str) -> str:
    return next((kind for pattern, kind in TITLE_KINDS if pattern.search(title)), "other")


def _strings(value: Any) -> list[str]:
    """A free-form field (string, list of strings or of dicts) as lines of text."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [" ".join(str(v) for v in value.values())]
    if isinstance(value, list):
        return [line for item in value for line in _strings(item)]
    return [str(value)]
