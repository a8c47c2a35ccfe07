"""Word classes question reading needs beyond the stop words: what never names a topic.

- ``FILLER``: words that carry a question's grammar or wish, never its subject ("need",
  "depend", "taken together", "monitor", "best"): never a topic, never a query term.
- ``MODIFIERS``: clinical qualifiers of a condition ("acute", "progressive", "relapsing"):
  they narrow a topic ("progressive multiple sclerosis") but never are one.
- ``METHOD_WORDS``: study-design, statistics and demographic words, which MeSH is full of
  ("Retrospective Studies", "Risk Factors", "Middle Aged"): a vocabulary term made only of
  these (and of the other classes) is not a topic.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from medcite.text.terms import QUESTION_WORDS, STOPWORDS, american, stem

_TOKEN = re.compile(r"[a-z0-9]+")
_POSSESSIVE = re.compile(r"['’]s\b")


def key_stems(text: str) -> list[str]:
    """The text's content words as light stems, in order (what topic keys are made of);
    accents are dropped ("Behçet" → "behcet")."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    lowered = _POSSESSIVE.sub("", text.lower())
    return [key_stem(t) for t in _TOKEN.findall(lowered) if t not in STOPWORDS]


@lru_cache(maxsize=200_000)
def key_stem(word: str) -> str:
    """:func:`~medcite.text.terms.stem` without a final "e", so that singular and plural
    (and "cure"/"cured", "anaemia"/"anemia") meet: "stone"/"stones" → "ston",
    "disease"/"diseases" → "diseas"."""
    word = american(word)
    stemmed = stem(word)
    if stemmed == word and len(word) >= 5 and word.endswith("ed"):
        stemmed = word[:-2]  # "cured": too short for stem()'s suffix rule
    return stemmed[:-1] if len(stemmed) >= 4 and stemmed.endswith("e") else stemmed


def stem_key(text: str) -> str:
    return " ".join(key_stems(text))


FILLER = frozenset(
    """need needs needed depend depends depending dependent take takes taking taken together
    combine combined combination monitor monitored monitoring check checked watch use uses
    used using work works working best better good safe safely okay ok help helps helpful
    get gets getting make makes happen happens happening go going give given giving start
    started stop stopped someone something anyone thing things way ways much many often long
    usually usual common typical typically also else instead still well really actually
    recommend recommended recommendation recommendations guideline guidelines evidence
    medicine medicines medication medications drug drugs agent agents cure cured cures curable
    relieve relieves relief prevent prevents prevented preventing prevention avoid stopping
    should would could can may might must shall will likely possible possibly important main
    first second next new newer newest latest current currently today now available exist
    exists there here look like kind kinds sort role roles value benefit benefits effective
    effectiveness efficacy work-up approach approaches strategy strategies plan plans
    question questions answer answers reason reasons increase increases decrease decreases
    affect affects change changes result results lead leads linked link associated association
    relationship related cannot unable along eat eating ate drink drinking class classes
    standard standards option options offer offered routine routinely""".split()
)
MODIFIERS = frozenset(
    """acute chronic progressive primary secondary relapsing remitting recurrent repeated refractory
    severe mild moderate early late advanced stable unstable active inactive newly diagnosed
    uncomplicated complicated persistent intermittent resistant congenital acquired idiopathic
    hereditary familial adult childhood juvenile pediatric paediatric neonatal elderly
    symptomatic asymptomatic localized metastatic generalized systemic postpartum postnatal
    prenatal antenatal perinatal postoperative""".split()
)
METHOD_WORDS = frozenset(
    """study studies trial trials analysis analyses factor factors outcome outcomes model models
    index result assessment questionnaire questionnaires time incidence prevalence follow
    retrospective prospective cohort cross sectional statistic statistics data survey surveys
    sensitivity specificity reproducibility probability regression logistic multivariate
    control controls case cases evaluation program programs age ages sex human humans animal
    animals adult adults aged middle child children infant infants newborn adolescent young
    male female united states health services care hospital hospitals patient patients
    physician physicians practice attitude disease diseases disorder disorders syndrome
    condition conditions process method methods technique techniques measurement reference
    values prognosis treatment therapy diagnosis infection infections recurrence recurrences
    complication complications surgery surgical operation operative postoperative preoperative
    perioperative procedure procedures period pattern patterns""".split()
)
GENERIC_STEMS = frozenset(
    key_stem(w) for w in STOPWORDS | QUESTION_WORDS | FILLER | MODIFIERS | METHOD_WORDS
)
MODIFIER_STEMS = frozenset(key_stem(w) for w in MODIFIERS)
# Modifiers that say the same thing: "postnatal depression" is "Depression, Postpartum".
_SAME_MODIFIER = {
    key_stem(a): key_stem(b)
    for a, b in (
        ("postnatal", "postpartum"),
        ("antenatal", "prenatal"),
        ("paediatric", "pediatric"),
        ("childhood", "pediatric"),
        ("juvenile", "pediatric"),
    )
}


def modifier(stem: str) -> str:
    """A modifier stem in the form its synonyms share."""
    return _SAME_MODIFIER.get(stem, stem)


FILLER_STEMS = frozenset(key_stem(w) for w in STOPWORDS | QUESTION_WORDS | FILLER)


# Body parts: where a condition is, not what it is ("My fingers got frostbitten").
ANATOMY = frozenset(
    """finger fingers toe toes hand hands foot feet arm arms leg legs knee knees hip hips
    shoulder shoulders elbow wrist ankle back neck head face eye eyes ear ears nose mouth lip
    lips tongue tooth teeth skin hair nail nails chest abdomen belly stomach""".split()
)
# How specific a condition term is, beside a named disease: an organ or tissue says where it
# is ("Paget's disease in my pelvis"), a symptom what it feels like ("daily fever spikes"), a
# person, place, setting or test the circumstances ("my mother", "an MRI shows", "in the ICU").
ORGAN_STEMS = frozenset(
    key_stem(w)
    for w in """brain heart liver kidney kidneys lung lungs spleen pelvis bone bones blood joint
    joints muscle muscles nerve nerves scalp esophagus bladder bowel colon intestine
    gallbladder thyroid pancreas uterus womb ovary prostate spine spinal cord retina cartilage
    gland glands node nodes urine""".split()
)
SYMPTOM_STEMS = frozenset(
    key_stem(w)
    for w in """fever fevers headache headaches pain pains ache aches nausea vomiting itch
    itching itchiness rash rashes cough coughing fatigue tiredness dizziness swelling bleeding
    sore throat bruising numbness weakness sleep sleepiness sleeping""".split()
)
CIRCUMSTANCE_STEMS = frozenset(
    key_stem(w)
    for w in """mother mothers father fathers family families parent parents sibling siblings
    brother brothers sister sisters son sons daughter daughters husband wife surgeon surgeons
    doctor doctors nurse nurses travel traveler traveller gas heater house home school work
    magnetic resonance imaging mri scan scans x-ray ray biopsy endoscopy ultrasound
    ultrasonography echocardiography echocardiogram tomography positron emission computed
    gastric emptying intensive care unit units icu placebo placebos plasma touch
    transplantation transplant transplants recipient recipients""".split()
)
NAMED_DISEASE, SYMPTOM, CIRCUMSTANCE = 3, 2, 1


def specificity(name: str) -> int:
    """How specifically a condition term names a disease: ``NAMED_DISEASE``, ``SYMPTOM`` or
    ``CIRCUMSTANCE`` (an organ, person, place, setting or test), by its words."""
    stems = [s for s in key_stems(name) if s not in MODIFIER_STEMS]
    if stems and all(s in ORGAN_STEMS or s in CIRCUMSTANCE_STEMS for s in stems):
        return CIRCUMSTANCE
    if stems and all(s in SYMPTOM_STEMS or s in ORGAN_STEMS for s in stems):
        return SYMPTOM
    return NAMED_DISEASE


POPULATION_STEMS = frozenset(
    key_stem(w)
    for w in """pregnancy pregnant lactation breast feeding infant infants newborn newborns child
    children childhood preschool adolescent adolescents adult adults aged elderly older men women
    male female boys girls baby babies""".split()
)
# "type 2", "stage IV": a numbered label narrows a condition like a modifier.
NUMBERED_HEADS = frozenset({"type", "stage", "grade", "class"})
NUMBERED = re.compile(r"^(?:[0-9]+[a-z]?|i{1,3}|iv|vi{0,3}|ix|x)$")


# Drug classes, named where a drug would be ("oral steroids", "antibiotics for ...").
DRUG_CLASS = re.compile(
    r"\b(?:\w*steroids?|antibiotics?|antidepressants?|anticonvulsants?|antiepileptics?|"
    r"antivirals?|antifungals?|antihistamines?|analgesics?|nsaids?|opioids?|immunosuppress\w+|"
    r"immunomodulat\w+|anticoagulants?|antiplatelets?|blood thinners?|statins?|"
    r"beta[- ]blockers?|ace inhibitors?|diuretics?|insulin|vaccines?|interferons?|"
    r"monoclonal antibod\w+|\w+ inhibitors?|muscle relaxants?|tranquilizers?|sedatives?|"
    r"antipsychotics?|stimulants?|bronchodilators?|hormone therapy|supplements?)\b"
)


def generic(stems: list[str] | tuple[str, ...]) -> bool:
    """A term made only of generic words (or of none) names no topic."""
    return all(s in GENERIC_STEMS or s.isdigit() or len(s) < 2 for s in stems)
