"""What a source sentence holds, judged by its words: the checks that decide whether a verbatim
sentence can stand alone in an answer and which section its content fits.

- **Dangling**: a sentence that leans on one before it ("However, ...", "This drug ...",
  "the drug's manufacturer") cannot stand alone; the composer takes the sentence it leans on
  with it or leaves it out.
- **Scaffolding**: abstract machinery that answers nothing — OBJECTIVE/METHODS labels and
  sections, aims ("To assess ..."), who was enrolled or served as controls, statistics without
  their finding.
- **Preclinical**: animal and laboratory results ("in mice", "in vitro").
- **Content kinds**: doses, routes and frequencies; investigational status; established
  status ("approved"); answer specifics (drug names, doses, procedures, thresholds).
"""

from __future__ import annotations

import re

from medcite.question.intent import DOSE
from medcite.question.words import DRUG_CLASS

_DANGLING_START = re.compile(
    r"^(?:however|but|and|or|so|also|in addition|additionally|furthermore|moreover|therefore|"
    r"thus|hence|consequently|similarly|likewise|in contrast|instead|otherwise|still|yet|"
    r"nevertheless|nonetheless|meanwhile|for (?:example|instance)|as a result|this|these|"
    r"that|those|such|it|its|they|their|them|both|either|neither|the latter|the former|"
    r"another|other|the other|the same|then|second|third|finally|lastly|"
    # "Some are given through a needle": some of what the sentence before named
    r"(?:some|many|most|few|several|all|each)(?= (?:are|is|can|may|will|have|also|of them)\b)|"
    r"in (?:this|these|that|such) \w+)\b",
    re.IGNORECASE,
)
# A noun that needs its antecedent: "the drug", "these medications", "this therapy".
_AGENTS = (
    r"(?:drugs?|medications?|medicines?|agents?|compounds?|products?|antibod(?:y|ies)|vaccines?)"
)
_ACTS = r"(?:therap(?:y|ies)|treatments?|procedures?|interventions?|regimens?)"
# "Doctors use this test to find ...": which test, the sentence before said
_EXAMS = r"(?:tests?|surger(?:y|ies)|operations?|scans?|exams?|examinations?)"
_ANAPHORIC_NOUN = re.compile(
    rf"\b(?:(?:this|that|these|those|such|both) (?:{_AGENTS}|{_ACTS}|{_EXAMS})(?:['’]s)?\b"
    # "the drug" leans on an antecedent ("the drug of choice" does not); "the treatment"
    # only without a complement ("the treatment of gout" does not)
    rf"|the {_AGENTS}(?:['’]s\b|\b(?!\s+(?:of choice|called|named|known as|that|which)\b))"
    rf"|the {_ACTS}(?:['’]s\b|\b(?!\s+(?:of|for|to|that|which|called|known|named|used|"
    r"given|options?|plan|goals?|team|centers?|approach|depends?|may|will|is|are)\b)))",
    re.IGNORECASE,
)
_STUDY_REFERENCE = re.compile(
    r"^(?:these|this|our|such) (?:results?|findings?|data|stud(?:y|ies)|observations?|trials?)\b",
    re.IGNORECASE,
)
SCAFFOLD_LABELS = frozenset(
    """BACKGROUND CONTEXT OBJECTIVE OBJECTIVES AIM AIMS PURPOSE INTRODUCTION METHODS METHOD DESIGN
    SETTING SETTINGS PATIENTS PARTICIPANTS SUBJECTS MEASUREMENTS INTERVENTION INTERVENTIONS
    MATERIALS""".split()
)
_SCAFFOLD_LABEL_WORDS = re.compile(
    r"method|design|setting|participant|subject|objective|background|context|purpose|"
    r"measure|intervention|aim|introduction|patients",
    re.IGNORECASE,
)
LABEL_PREFIX = re.compile(
    r"^([A-Z]{4,}(?: (?:AND )?[A-Z]{2,})*)\s+(?=\S)"
    # a label glued to the sentence: "BackgroundIndividuals with ..."
    r"|^(Background|Objectives?|Methods?|Results?|Conclusions?|Aims?|Purpose|Context|"
    r"Introduction|Findings|Interpretation)(?=[A-Z][a-z])"
    # a structured abstract's label then a space: "Importance Although ...", "Objectives To ..."
    r"|^(Importance|Background|Objectives?|Methods?|Results?|Conclusions?(?: and Relevance)?|"
    r"Aims?|Purpose|Context|Design(?:, Setting,? and Participants)?|Setting|Participants|"
    r"Exposures?|Interventions?|Main Outcomes? and Measures?)\s+(?=[A-Z][a-z]*\b)"
)
_AIM = re.compile(
    r"^(?:(?:here|in this (?:study|paper|work)|therefore|thus),? )?"
    r"(?:to (?:assess|determine|evaluate|examine|investigate|compare|study|test|describe|"
    r"identify|explore|ascertain|analy[sz]e|estimate|review|report|characteri[sz]e|measure|"
    r"establish|clarify|define|quantify|validate|develop)|the (?:aims?|purposes?|objectives?|"
    r"goals?) (?:of|was|were|is|are)|(?:this|the present|the current) (?:study|trial|review|"
    r"paper|article|report|analysis) (?:aims?|aimed|was designed|is designed|examines|examined|"
    r"evaluates|evaluated|investigates|investigated|describes|reports|assessed|sought|"
    r"compares|compared)|we (?:aimed|sought|set out|hypothesi[sz]ed|investigated|examined|"
    r"evaluated|assessed|studied|analy[sz]ed|conducted|performed|reviewed|enrolled|recruited|"
    r"describe|report|compared|measured|used|designed|undertook|retrospectively|"
    r"prospectively|included|identified|obtained|collected|selected|surveyed|interviewed|"
    r"randomi[sz]ed|tested|searched))\b",
    re.IGNORECASE,
)
_META = re.compile(
    r"^(?:our|these|the) (?:observations?|findings?|results?|data) (?:are|is|may be|could be|"
    r"will be|should be) (?:important|relevant|useful|helpful|valuable|of interest)\b",
    re.IGNORECASE,
)
_ENROLMENT = re.compile(
    r"\b(?:served as (?:the )?controls?|as (?:a )?control group|control (?:group|subjects|"
    r"patients) (?:was|were|consisted|comprised|included)|healthy (?:controls|volunteers) "
    r"(?:were|was)|matched controls|were (?:randomi[sz]ed|randomly assigned|enrolled|recruited|"
    r"allocated|selected|interviewed|surveyed)|(?:was|were) divided into|(?:patients|subjects|"
    r"participants|women|men|children) (?:were|was) (?:assigned|enrolled|recruited|studied|"
    r"included|evaluated|examined|followed)|a total of \d+|"
    r"baseline characteristics (?:were|was))\b",
    re.IGNORECASE,
)
_STATISTIC = re.compile(
    r"^(?:[<>=≤≥±%().,;:/-]|\d[\d.,%]*|p|ci|or|hr|rr|vs|n|sd|se|iqr|95)$", re.IGNORECASE
)
MAX_STATISTIC_SHARE = 0.35
# How an abstract states what it found, as against its background and methods.
CONCLUDES = re.compile(
    r"\b(?:in conclusion|we conclude|(?:these|our) (?:data|findings|results)|"
    r"this (?:study|trial) (?:shows|showed|suggests|found|demonstrates)|"
    r"(?:results|findings|data) (?:suggest|indicate|show|demonstrate|support))\b",
    re.IGNORECASE,
)
# The words that make a run of statistics a finding.
_DIRECTION = re.compile(
    r"\b(?:less|fewer|more|greater|higher|lower|reduc|increas|decreas|improv|worse|differ|"
    r"associat|significant)\w*",
    re.IGNORECASE,
)
_CASE = re.compile(
    r"^(?:In|By) (?:\d{4}|\w+ \d{4}),? (?:she|he|the patient)\b"
    r"|\b(?:a|an) \d+[- ](?:year|month)[- ]old (?:man|woman|boy|girl|patient|male|female)\b"
    r"|^(?:She|He) (?:was|had|developed|presented|received|underwent)\b",
    re.IGNORECASE,
)
PRECLINICAL = re.compile(
    r"\b(?:mice|mouse|murine|rats?|rodents?|hamsters?|rabbits?|guinea pigs?|canine|dogs?|"
    r"feline|porcine|pigs?|piglets?|sheep|ovine|bovine|monkeys?|macaques?|non-?human primates?|"
    r"zebrafish|drosophila|yeast|in vitro|cell lines?|cultured (?:cells|neurons)|"
    r"(?:infected|transfected|treated|stimulated|primary|tumou?r) cells|slice cultures?|"
    r"ex vivo|"
    r"cell cultures?|xenografts?|animal models?|in animals|knockout|transgenic|preclinical|"
    r"(?:in|using) (?:a |an )?(?:\w+ )?models? of)\b",
    re.IGNORECASE,
)
_DOSE = re.compile(DOSE, re.IGNORECASE)
_ROUTE_OR_FREQUENCY = re.compile(
    r"\b(?:given|taken|administered|injected|infused|delivered|applied|inhaled)\b[^.;]{0,30}"
    r"\b(?:orally|by mouth|intravenous(?:ly)?|IV|subcutaneous(?:ly)?|intramuscular(?:ly)?|"
    r"by injection|by infusion|into (?:a|the) \w+|through a vein)\b"
    r"|\b(?:once|twice|three times|four times) (?:a|per|daily|weekly|every)\b"
    r"|\bevery \d+ (?:to \d+ )?(?:hours?|days?|weeks?|months?)\b"
    r"|\b(?:daily|weekly|monthly) (?:doses?|injections?|infusions?)\b|\bper day\b|/day\b",
    re.IGNORECASE,
)
_ROUTED = re.compile(
    r"\b(?:intravenous|oral|subcutaneous|intramuscular|inhaled|topical|intranasal|IV)\s+"
    r"([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)"
)
_INVESTIGATIONAL = re.compile(
    r"\b(?:investigational|experimental|being (?:studied|tested|investigated|developed|"
    r"evaluated|devised)|under (?:study|investigation|development)|in clinical trials|"
    r"(?:are|is) (?:also |now |currently )?(?:studying|testing|evaluating|investigating)|"
    r"clinical trials? (?:are|is) (?:testing|underway|ongoing|under way)|(?:are|is) underway|"
    r"phase (?:i|ii|iii|1|2|3)\b|not (?:yet )?approved|still-experimental|future "
    r"(?:treatments?|therapies)|potential (?:new )?(?:treatments?|therap(?:y|ies))|"
    r"new (?:approaches|treatments?|therapies|drugs?) (?:are|is|being|to)|may (?:one day|someday))",
    re.IGNORECASE,
)
_ESTABLISHED = re.compile(
    r"\b(?:(?<!not )(?<!not yet )approved|licensed|standard (?:treatment|therapy|care)|"
    r"established|recommended|first-line|most common treatments?)\b",
    re.IGNORECASE,
)
_PROCEDURE = re.compile(
    r"\b(?:surgery|surgical|lithotripsy|ureteroscopy|nephrolithotomy|transplant\w*|stent\w*|"
    r"ablation|resection|excision|removal|radiation|radiotherapy|chemotherapy|dialysis|"
    r"transfusions?|physical therapy|physiotherapy|rehabilitation|plasma exchange|"
    r"plasmapheresis|cardioversion|pacemaker|bypass|catheter\w*|immunotherapy|vaccination|"
    r"injections?|infusions?|psychotherapy|counseling|counselling|diet|exercise)\b",
    re.IGNORECASE,
)
_THRESHOLD = re.compile(
    r"\b\d+(?:\.\d+)?\s?(?:mm|cm|%|percent|mg/dl|mmol|mmhg|hours?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)


def dangling(text: str) -> bool:
    """Whether the sentence leans on an antecedent it does not carry."""
    if _STUDY_REFERENCE.match(text):
        return False  # "These results suggest ..." reads as a finding
    return bool(_DANGLING_START.match(text) or _ANAPHORIC_NOUN.search(text))


def label_prefix(text: str) -> str | None:
    """An abstract section label run into the sentence ("METHODS We randomly assigned...")."""
    match = LABEL_PREFIX.match(text)
    return (match.group(1) or match.group(2) or match.group(3)).upper() if match else None


def scaffold_label(label: str | None) -> bool:
    """An abstract section (or run-in label) that describes the study, not its findings."""
    if not label:
        return False
    first = label.split()[0].upper()
    return first in SCAFFOLD_LABELS or bool(_SCAFFOLD_LABEL_WORDS.search(label))


def scaffolding(text: str) -> bool:
    """Aims, enrolment and control-group descriptions, statistics without a finding."""
    if _AIM.match(text) or _ENROLMENT.search(text) or _META.match(text):
        return True
    tokens = re.findall(r"[A-Za-z]+|\d[\d.,]*%?|[<>=≤≥±%]", text)
    stats = sum(1 for t in tokens if _STATISTIC.match(t))
    dense = bool(tokens) and stats / len(tokens) > MAX_STATISTIC_SHARE
    return dense and not _DIRECTION.search(text)  # "less weight gain (1.3 vs 4.2 kg; P=.01)"


def case_narrative(text: str) -> bool:
    """A case report's story ("In 1976 she developed ...", "A 54-year-old man presented")."""
    return bool(_CASE.search(text))


def preclinical(text: str) -> bool:
    return bool(PRECLINICAL.search(text))


def has_dose(text: str) -> bool:
    return bool(_DOSE.search(text))


def doses_or_routes(text: str) -> bool:
    """A dose ("1.2 mg"), a route ("intravenous") or a frequency ("twice daily")."""
    return bool(_DOSE.search(text) or _ROUTE_OR_FREQUENCY.search(text))


def routed(text: str) -> list[str]:
    """What follows a route adjective ("intravenous methylprednisolone", "oral steroids"):
    the caller decides whether it names a drug."""
    return _ROUTED.findall(text)


def investigational(text: str) -> bool:
    """Says the treatment is still being studied, and not that it is established."""
    return bool(_INVESTIGATIONAL.search(text)) and not _ESTABLISHED.search(text)


def established(text: str) -> bool:
    return bool(_ESTABLISHED.search(text))


def names_drug_class(text: str) -> bool:
    return bool(DRUG_CLASS.search(text.lower()))


def specifics(text: str, drugs: int) -> int:
    """How many concrete answer items the sentence names: ``drugs`` drug names (counted by
    the caller, who has the lexicon), drug classes, doses, procedures, thresholds."""
    found = drugs + len(set(DRUG_CLASS.findall(text.lower()))) + len(_DOSE.findall(text))
    return found + len(set(_PROCEDURE.findall(text.lower()))) + len(_THRESHOLD.findall(text))
