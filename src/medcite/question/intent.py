"""Question analysis: what is asked (intent), about what (topic), and for which subgroups.

Each intent has a section template: an ordered list of sections, each with the cue patterns
that make a source sentence belong there. Templates are data, so a new intent or section is
a table edit, not new code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcite.text.terms import QUESTION_WORDS, content_stems, content_words


@dataclass(frozen=True)
class SectionSpec:
    kind: str
    title: str
    cues: re.Pattern[str]
    # Lower numbers claim a sentence first when it matches several sections.
    priority: int


def _cues(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


THERAPY_NOUN = (
    r"(?:drugs?|medicines?|medications?|treatments?|therap(?:y|ies)|antibiotics?|"
    r"anti(?:viral|fungal|coagulant|depressant|convulsant|biotic|parasitic)s?|biologics?|agents?)\b"
)
DOSE = r"\b\d+(?:\.\d+)?\s?(?:mg|mcg|µg|g|ml|mL|units?|IU|mg/kg|mg/m2)\b"
CUE = {
    "treatment": _cues(
        r"\btreat",
        r"\btherap",
        r"\bdrugs?\b",
        r"\bmedications?\b",
        r"(?<!\bof )\bmedicines?\b",
        r"\bapproved\b",
        r"\bcure[sd]?\b",
        r"\bFDA\b",
        r"\bfirst[- ]line\b",
        r"\bmanage",
        r"\bsurgery\b",
        r"\bintervention",
        r"\bimmunosuppress",
        r"\bdisease[- ]modifying\b",
        r"\bregimen",
        r"\bagents?\b",
        r"\bbefore (?:starting|initiating|beginning)\b",
        r"\bcontraindicat",
    ),
    "dosing": _cues(
        DOSE,
        r"\bdos(?:e|es|ing|age)\b(?!-response)",
        r"\b(?:once|twice) (?:daily|weekly|a day)\b",
        r"\binfusions?\b",
        r"\binjections?\b",
        r"\bintravenous",
        r"\borally\b",
        r"\bsubcutaneous",
    ),
    "pre_treatment": _cues(
        r"\bscreen",
        r"\bbefore (?:starting|initiating|treatment|beginning)",
        r"\bprior to\b",
        r"\bbaseline\b",
        r"\bcontraindicat",
        r"\bvaccinat",
        r"\bpregnan",
        r"\bmonitor",
    ),
    "emerging": _cues(
        r"\binvestigat",
        r"\bexperimental\b",
        r"\bclinical trials?\b",
        r"\bphase (?:i|ii|iii|1|2|3)\b",
        r"\bpromising\b",
        r"\bunder (?:study|investigation)\b",
        r"\bbeing (?:studied|tested|devised)",
        r"\bnew(?:er)? (?:treatments?|therapies|drugs?)\b",
        r"\bnovel\b",
        r"\bpotential therap",
    ),
    "symptomatic": _cues(
        r"\bsymptom",
        r"\bspasticity\b",
        r"\bfatigue\b",
        r"\bbladder\b",
        r"\bbowel\b",
        r"\bdepression\b",
        r"\bwalking\b",
        r"\bphysical therapy\b",
        r"\brehabilitat",
        r"\b(?:pain|symptom) (?:relief|management|control)\b",
        r"\brelie(?:ve|f) (?:of )?(?:the )?symptoms?\b",
        r"\bexercise\b",
        r"\bmuscle relaxant",
    ),
    "pitfalls": _cues(
        r"\badverse\b",
        r"\bside effects?\b",
        r"\brisks?\b",
        r"\btoxicit",
        r"\bcaution\b",
        r"\bavoid",
        r"\bserious\b",
        r"\bleukoencephalopathy\b",
        r"\bfatal\b",
        r"\bwarning",
        r"\bsuspended\b",
        r"\bharm",
    ),
    "evidence_gap": _cues(
        r"\bno (?:(?:known|definitive|absolute|specific|standard) )?cure\b",
        r"\bno (?:effective|proven|universally effective|specific evidence)\b",
        r"\bnot (?:been )?(?:shown|established|proven)\b",
        r"\blimited (?:evidence|data)\b",
        r"\binsufficient\b",
        r"\bunclear\b",
        r"\bremains? unknown\b",
        r"\bunknown\b",
        r"\bfurther (?:research|studies|trials)\b",
        r"\black of\b",
        r"\bdo not affect\b",
        r"\bno (?:significant )?difference\b",
        r"\bfailed to\b",
    ),
    "diagnosis": _cues(
        r"\bdiagnos",
        r"\bcriteria\b",
        r"\bMRI\b",
        r"\bimaging\b",
        r"\bbiopsy\b",
        r"\btests?\b",
        r"\bexam(?:ination)?\b",
        r"\blumbar puncture\b",
        r"\bscan\b",
        # a blood test, not "blood flow" or "blood cholesterol"
        r"\bblood (?:tests?|work|counts?|samples?|levels?|smears?)\b",
    ),
    "differential": _cues(
        r"\bdifferential\b",
        r"\bmimic",
        r"\bdistinguish",
        r"\bruling out\b",
        r"\brule out\b",
        r"\bsimilar to those of\b",
    ),
    "clinical": _cues(r"\bsymptoms?\b", r"\bsigns?\b", r"\bpresent", r"\bonset\b", r"\bcharacteri"),
    "cause": _cues(
        r"\bcaus",
        r"\bheritab",
        r"\bpassed (?:down|on)\b",
        r"\bruns? in famil",
        r"\bgenes?\b",
        r"\bgenetic\b",
        r"\bmutation",
        r"\brisk factors?\b",
        r"\binherit",
        r"\bautoimmune\b",
        r"\bassociated with\b",
        r"\btrigger",
    ),
    "definition": _cues(r"\bis an?\b", r"\bare an?\b", r"\brefers? to\b", r"\bcharacterized by\b"),
    "prognosis": _cues(
        r"\bprognos",
        r"\boutlook\b",
        r"\bsurvival\b",
        r"\bmortality\b",
        r"\blife expectancy\b",
        r"\brecover",
        r"\bdisabilit",
        r"\bprogress",
        r"\bremission",
    ),
    "prognostic_factors": _cues(r"\bpredict", r"\bfactors?\b", r"\bassociated with\b", r"\bhazard"),
    "interactions": _cues(
        r"\binteract",
        r"\bco-?administ",
        r"\bconcomitant",
        r"\bcombined with\b",
        r"\bCYP\w*",
        r"\bserotonin syndrome\b",
        r"\bincrease[sd]? (?:the )?(?:levels?|concentrations?)\b",
    ),
    "adverse": _cues(
        r"\badverse\b",
        r"\bside effects?\b",
        r"\btoxicit",
        r"\bsafe(?:ty|ly)?\b",
        r"\bharm",
        r"\b(?:allergic )?reactions?\b",
        r"\bcomplications?\b",
        r"\bwarnings?\b",
        r"\bcontraindicat",
        r"\bleukoencephalopathy\b",
        r"\bsuspended\b",
        r"\brisks? of (?:side effects|bleeding|birth defects|harm|death|infection)\b",
    ),
    "treatment_pitfalls": _cues(
        r"\badverse\b",
        r"\bside effects?\b",
        r"\btoxicit",
        r"\bharm",
        r"\bcaution\b",
        r"\bshould not\b",
        r"\b(?:do not|don['’]t) (?:take|use|give|rub|walk|put)\b",
        r"\bcontraindicat",
        r"\bwarnings?\b",
        r"\bleukoencephalopathy\b",
        r"\bsuspended\b",
        r"\b(?:serious|significant) risks?\b",
        r"\brisks? of (?:side effects|bleeding|birth defects|harm|death|infection)\b",
    ),
    "serious": _cues(
        r"\bserious\b",
        r"\bsevere\b",
        r"\bfatal\b",
        r"\blife-threatening\b",
        r"\bboxed\b",
        r"\bdeath\b",
    ),
    "prevention": _cues(r"\bprevent", r"\breduce (?:the )?risk\b", r"\bvaccin", r"\bscreening\b"),
    "monitoring": _cues(
        r"\bmonitor",
        r"\bfollow(?:ed)?[- ]?up\b",
        r"\bcheck(?:ed|ups?)?\b",
        r"\bcounts?\b",
        r"\blevels?\b",
        r"\bregular(?:ly)? (?:tests?|visits|blood)\b",
        r"\bwatch(?:ed|ful)?\b",
        r"\bexams?\b",
    ),
    "findings": _cues(
        r"\bassociat",
        r"\bincrease",
        r"\bdecrease",
        r"\breduc",
        r"\bhigher\b",
        r"\blower\b",
        r"\bsignificant",
        r"\bimprov",
        r"\beffect",
        r"\brisk\b",
        r"\bcorrelat",
        r"\bpredict",
    ),
    "null_findings": _cues(
        r"\bno (?:significant )?(?:association|difference|effect|benefit|evidence)\b",
        r"\bnot (?:significantly )?(?:associated|different|effective)\b",
        r"\bdid not\b",
        r"\bfailed to\b",
        r"\bconflicting\b",
        r"\binconsistent\b",
        r"\bcontrovers",
    ),
}


def _spec(kind: str, title: str, cue: str, priority: int) -> SectionSpec:
    return SectionSpec(kind, title, CUE[cue], priority)


TEMPLATES: dict[str, list[SectionSpec]] = {
    "treatment": [
        _spec("first_line", "Treatment options", "treatment", 7),
        _spec("dosing", "Dosing and administration", "dosing", 3),
        _spec("pre_treatment", "Before starting treatment", "pre_treatment", 2),
        _spec("emerging", "Emerging and investigational therapies", "emerging", 5),
        _spec("symptomatic", "Symptomatic management", "symptomatic", 4),
        _spec("pitfalls", "Safety and clinical pitfalls", "treatment_pitfalls", 6),
        _spec("evidence_gap", "The evidence gap", "evidence_gap", 1),
    ],
    "dosing": [
        _spec("dosing", "Dosing", "dosing", 1),
        _spec("pre_treatment", "Before starting and monitoring", "pre_treatment", 2),
        _spec("pitfalls", "Pitfalls", "pitfalls", 3),
        _spec("evidence_gap", "The evidence gap", "evidence_gap", 4),
    ],
    "diagnosis": [
        _spec("clinical", "Clinical features", "clinical", 3),
        _spec("workup", "Tests and work-up", "diagnosis", 2),
        _spec("differential", "Differential diagnosis", "differential", 1),
        _spec("evidence_gap", "The evidence gap", "evidence_gap", 4),
    ],
    "adverse_effects": [
        _spec("safety", "Adverse effects", "adverse", 2),
        _spec("serious", "Serious adverse effects", "serious", 1),
        _spec("pre_treatment", "Monitoring", "pre_treatment", 3),
        _spec("evidence_gap", "The evidence gap", "evidence_gap", 4),
    ],
    "interactions": [
        _spec("interactions", "Interactions", "interactions", 1),
        _spec("pitfalls", "Risks and monitoring", "pitfalls", 2),
        _spec("evidence_gap", "The evidence gap", "evidence_gap", 3),
    ],
    "prognosis": [
        _spec("outlook", "Outlook", "prognosis", 2),
        _spec("prognostic_factors", "Prognostic factors", "prognostic_factors", 1),
        _spec("evidence_gap", "The evidence gap", "evidence_gap", 3),
    ],
    "cause": [
        _spec("causes", "Causes and risk factors", "cause", 1),
        _spec("evidence_gap", "The evidence gap", "evidence_gap", 2),
    ],
    "symptoms": [
        _spec("clinical", "Signs and symptoms", "clinical", 1),
        _spec("workup", "Tests and work-up", "diagnosis", 2),
        _spec("evidence_gap", "The evidence gap", "evidence_gap", 3),
    ],
    "monitoring": [
        _spec("monitoring", "Monitoring", "monitoring", 2),
        _spec("pitfalls", "Warning signs and risks", "pitfalls", 1),
        _spec("evidence_gap", "The evidence gap", "evidence_gap", 3),
    ],
    "prevention": [
        _spec("prevention", "Prevention", "prevention", 1),
        _spec("evidence_gap", "The evidence gap", "evidence_gap", 2),
    ],
    "evidence": [
        _spec("findings", "What the studies found", "findings", 2),
        _spec("null_findings", "Null or conflicting findings", "null_findings", 1),
        _spec("evidence_gap", "The evidence gap", "evidence_gap", 3),
    ],
    "definition": [
        _spec("overview", "Overview", "definition", 1),
        _spec("clinical", "Signs and symptoms", "clinical", 3),
        _spec("causes", "Causes", "cause", 2),
        _spec("treatment", "Treatment", "treatment", 4),
        _spec("outlook", "Outlook", "prognosis", 5),
    ],
}


def _either(*names: str) -> re.Pattern[str]:
    return re.compile("|".join(CUE[n].pattern for n in names), re.IGNORECASE)


# A sentence must match its intent's pattern to be used at all: a treatment answer is built
# from sentences about treatment, whatever else they mention.
REQUIRED: dict[str, re.Pattern[str] | None] = {
    "treatment": CUE["treatment"],
    "dosing": CUE["dosing"],
    "diagnosis": _either("diagnosis", "clinical", "differential"),
    "adverse_effects": _either("adverse", "serious"),
    "interactions": CUE["interactions"],
    "prognosis": _either("prognosis", "prognostic_factors"),
    "cause": CUE["cause"],
    "prevention": CUE["prevention"],
    "symptoms": CUE["clinical"],
    "monitoring": CUE["monitoring"],
    "evidence": _either("findings", "null_findings", "evidence_gap"),
    "definition": None,
}

# Intent rules, first match wins; ordered from the most to the least specific.
INTENT_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "interactions",
        _cues(
            r"\binteract",
            r"\bsafe (?:to take )?with\b",
            r"\btogether with\b",
            r"\b(?:taken|used|given|take|use|combined?) together\b",
            r"\bat the same time\b",
        ),
    ),
    (
        "dosing",
        _cues(
            r"\bdos(?:e|es|ing|age)\b",
            r"\bhow much\b",
            r"\bhow often\b",
            r"\bhow long (?:should|must)\b",
            r"\bhow (?:is|are|should) (?:\w+[ -]){1,3}(?:given|administered|injected|infused)\b",
        ),
    ),
    (
        "adverse_effects",
        _cues(
            r"\bside effects?\b",
            r"\badverse\b",
            r"\btoxicit",
            r"\bsafe(?:ty|ly)?\b",
            r"\bgo wrong\b",
            r"\bdownsides?\b",
        ),
    ),
    (
        "diagnosis",
        # "has just been diagnosed with X" tells the history; it does not ask how to diagnose
        _cues(
            r"\bdiagnos(?!ed (?:with|as)\b)",
            r"\bwork-?up\b",
            r"\btest(?:s|ed|ing)? for\b",
            r"\bscreen",
            # "Which tests confirm it?", "How is it confirmed?", "Is there a test for this?"
            r"\b(?:which|what) tests?\b",
            r"\bhow (?:is|are|do|does|can|would|should) (?:\w+ ){0,2}(?:be )?confirm",
            r"\bis there a test\b",
            r"\btest for (?:this|it|that)\b",
            # "how would a doctor know we'd been infected?", "Could it be carbon monoxide?"
            r"\bhow (?:would|will|do|does|can) (?:a |the |my |your )?doctors? (?:know|tell)\b",
            r"\bcould (?:it|this|that) be\b",
            r"\bdoes (?:that|this|it) fit\b",
            r"\bneed a scope\b",
        ),
    ),
    ("monitoring", _cues(r"\bmonitor", r"\bfollow(?:ed|ing)?[- ]?up\b")),
    # Before treatment: "which drugs prevent migraine" asks about prevention.
    (
        "prevention",
        _cues(
            r"\bprevent",
            r"\bprophyla",
            r"\bavoid getting\b",
            r"\bpost-?exposure\b",
            r"\bstop (?:it|this|them) (?:from )?happening\b",
            r"\bto stop (?:the )?(?:clots?|infections?)\b",
            r"\bwhat (?:shots?|jabs?|vaccines?|injections?) (?:\w+ ){0,3}need\b",
            # "how do we head off the next episode?", "how can coworkers be protected?"
            r"\bhead (?:it |them )?off\b",
            r"\bbe protected\b",
            r"\bprotect (?:him|her|them|others|yourself|myself|ourselves|the family)\b",
            r"\bstop (?:more|it|them|new \w+) from\b",
            r"\b(?:lower|reduce|cut|decrease)s? (?:the |my |their )?(?:\w+ ){0,3}risk\b",
        ),
    ),
    (
        "treatment",
        _cues(
            # "disappear without any treatment" asks the natural course (prognosis)
            r"(?<!without )(?<!without any )\btreat",
            r"(?<!without )(?<!without any )\btherap",
            r"\bmanage",
            r"\bdrugs? for\b",
            r"\b(?:medicines?|medications?|drugs?) (?:are |is )?(?:used|given|prescribed)\b",
            r"\bused (?:for|to treat)\b",
            r"\boptions?\b",
            r"\bcur(?:e|ed|es|able)\b",
            r"\brelie(?:ve|f|ving)\b",
            r"\b(?:started|initiated)\b",
            r"\b(?:help|helps|work|works|benefit|abort)\b",
            r"\bwhat (?:should|can|do|does) (?:\w+ ){0,2}take\b",
            # "What drugs can I offer ...?", "Which antibiotic ...?", "Which medicines control
            # ...?": asking for a therapy by its kind asks how to treat.
            rf"\b(?:what|which) (?:\w+ ){{0,2}}{THERAPY_NOUN}",
            r"\b(?:offer|recommend|prescribe)\b",
            r"\bshould (?:\w+ ){0,4}(?:take|receive|get|be given|be started)\b",
            r"\bwhat (?:should|can|do) (?:i|we|you|they|he|she) do\b",
            r"\b(?:can|should|could) be given\b",
            r"\bneed (?:an? )?(?:surgery|operation|procedure)\b",
            r"\bfirst aid\b",
            # "What can we give her?", "What will the dentist do about it?", "Can anything be done?"
            r"\bwhat (?:can|should|do) (?:i|we|you) give\b",
            r"\bdo about (?:it|them|this|that)\b",
            r"\b(?:can|could) (?:anything|something) be done\b",
            r"\bwhat can be done\b",
            r"\bbring (?:\w+ ){0,4}down\b",
            r"\bslows? (?:the |its |down )?progression\b",
            r"\b(?:have|need) to take (?:\w+ )?(?:medicines?|medications?|tablets|pills)\b",
            # "Wrist splint, steroid injection or release surgery for carpal tunnel?"
            r"\b(?:surgery|operation|injections?|splint(?:ing|s)?) for\b",
            # "surgery or medicines?": a choice between treatments
            r"\b(?:surgery|an operation|medicines?|medications?|drugs|tablets) or "
            r"(?:\w+ )?(?:surgery|an operation|medicines?|medications?|drugs|tablets)\b",
        ),
    ),
    (
        "prognosis",
        _cues(
            r"\bprognos",
            r"\boutlook\b",
            r"\bsurvival\b",
            r"\blife expectancy\b",
            r"\brecover(?:y|ies)?\b",
            r"\bhow long (?:does|do|will|can|until|before)\b",
            # "will I ever be free of it?", "does it usually settle?", "long-term complication"
            r"\bever be free\b",
            r"\bsettle\b",
            r"\bgo away\b",
            r"\bcomplications?\b",
            r"\bhow normal\b",
            # "how do children do afterwards?", "how will he do in the long run?"
            r"\bhow (?:do|does|did|will|would) (?:\w+ ){1,3}do (?:afterwards|after|later|"
            r"long[- ]term|in the long run)\b",
            r"\bback to normal\b",
            # "Is he likely to get better?", "can it come back?", "what can she expect from it?"
            r"\bget (?:better|worse)\b",
            r"\bwithout (?:any )?(?:treatment|therapy)\b",
            r"\buntreated\b",
            r"\bcome back\b",
            r"\b(?:left with|whole life|turn into)\b",
            r"\bexpect\b",
            r"\bwhat happens if\b",
            r"\bhow many (?:\w+ ){0,3}(?:die|survive|recover)\b",
            r"\bpredicts? (?:\w+ ){0,4}(?:course|death|outcome|survival|mortality|how long)\b",
        ),
    ),
    (
        "cause",
        _cues(
            r"\bcaus(?:e[sd]?|ing)\b",
            r"\bwhy do\b",
            # "What raised his risk?", "what put him at risk?", "why does it happen?"
            r"\brais(?:e|ed|es) (?:his|her|their|my|your|the) risk\b",
            r"\bput (?:him|her|them|me|you) at risk\b",
            r"\bwhy (?:does|do|did|is|are) (?:\w+ ){0,3}(?:happen|affected)\b",
            r"\bwhat triggers\b",
            r"\brisk factors?\b",
            r"\binherit",
            r"\bgen(?:es?|etic)\b(?! therap)",
            # how people ask whether a condition is inherited
            r"\bheritab",
            r"\bpass(?:ed|es)? (?:it |them )?(?:down|on)\b",
            r"\bruns? in (?:the |my |our |his |her )?famil",
        ),
    ),
    ("symptoms", _cues(r"\bsymptoms?\b", r"(?<!warning )\bsigns?\b")),
    ("definition", _cues(r"\bwhat (?:is|are)\b", r"\bdefin", r"\bmeaning\b")),
    # A yes/no research question ("Does X increase the risk of Y?") asks what studies found.
    (
        "evidence",
        _cues(r"(?:^|[,;]\s*)(?:does|do|did|is|are|was|were|can|could|should|has|have|will)\b"),
    ),
]
DEFAULT_INTENT = "definition"
INTENT_QUERY_WORDS: dict[str, tuple[str, ...]] = {
    "treatment": ("treatment", "therapy", "approved", "drugs"),
    "dosing": ("dose", "treatment", "mg"),
    "diagnosis": ("diagnosis", "tests", "criteria"),
    "adverse_effects": ("adverse", "side", "effects", "risk"),
    "interactions": ("interaction",),
    "prognosis": ("prognosis", "outlook", "survival"),
    "cause": ("causes", "risk", "factors"),
    "prevention": ("prevention", "prevent"),
    "symptoms": ("symptoms", "signs"),
    "monitoring": ("monitoring", "monitor", "tests"),
    "evidence": ("associated", "risk", "effect"),
}

_PARENTHETICAL = re.compile(r"\(([^()]*)\)")
_ALTERNATIVES = re.compile(r"\s*(?:,|;|\band\b|\bor\b|/)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Subgroup:
    label: str
    stems: tuple[str, ...]


@dataclass(frozen=True)
class QuestionAnalysis:
    question: str
    intent: str
    topic_stems: tuple[str, ...]  # what the answer must be about
    topic_words: tuple[str, ...]  # the same, unstemmed, for queries
    subgroups: tuple[Subgroup, ...]  # e.g. primary-progressive / secondary-progressive


def classify_intent(question: str) -> str:
    for intent, pattern in INTENT_RULES:
        if pattern.search(question):
            return intent
    return DEFAULT_INTENT


def analyse(question: str) -> QuestionAnalysis:
    """Intent, topic stems and named subgroups of a question.

    Subgroups come from a parenthesised list ("progressive MS (primary-progressive and
    secondary-progressive)"); the topic is the rest of the question minus question words.
    """
    subgroups: list[Subgroup] = []
    for inner in _PARENTHETICAL.findall(question):
        parts = [p.strip() for p in _ALTERNATIVES.split(inner) if p.strip()]
        if len(parts) >= 2:
            subgroups.extend(Subgroup(p, tuple(content_stems(p))) for p in parts)
    outside = _PARENTHETICAL.sub(" ", question) if subgroups else question
    topic = tuple(dict.fromkeys(content_stems(outside, drop=QUESTION_WORDS)))
    words = tuple(dict.fromkeys(content_words(outside, drop=QUESTION_WORDS)))
    return QuestionAnalysis(question, classify_intent(question), topic, words, tuple(subgroups))
