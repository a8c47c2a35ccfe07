"""A small plain-language glossary: abbreviations and jargon a patient answer may contain.

Explanations are ours (not citations): they appear as marked "what this means" notes beside
the answer, never inside a quoted source sentence. Upper-case abbreviations match case
sensitively ("MS", not "ms"); words match case-insensitively, with simple plural/adjective
endings.
"""

from __future__ import annotations

import re

GLOSSARY: dict[str, str] = {
    # abbreviations
    "MS": "multiple sclerosis, a long-term disease in which the immune system damages the "
    "coating of nerves in the brain and spinal cord",
    "PPMS": "primary progressive multiple sclerosis: MS that gets slowly worse from the start",
    "SPMS": "secondary progressive multiple sclerosis: MS that starts with relapses and later "
    "gets steadily worse",
    "RRMS": "relapsing-remitting multiple sclerosis: MS with flare-ups followed by recovery",
    "PML": "progressive multifocal leukoencephalopathy, a rare but serious brain infection",
    "MRI": "magnetic resonance imaging, a scan that takes detailed pictures inside the body",
    "CT": "computed tomography, an X-ray scan that makes cross-section pictures",
    "FDA": "the U.S. Food and Drug Administration, which approves medicines",
    "CNS": "central nervous system: the brain and spinal cord",
    "DMT": "disease-modifying therapy: a medicine that slows a disease down",
    "NSAID": "non-steroidal anti-inflammatory drug, such as ibuprofen",
    "NSAIDs": "non-steroidal anti-inflammatory drugs, such as ibuprofen",
    "IV": "intravenous: given through a drip into a vein",
    "HIV": "human immunodeficiency virus, which weakens the immune system",
    "COPD": "chronic obstructive pulmonary disease, a long-term lung disease",
    "ECG": "electrocardiogram, a test of the heart's electrical activity",
    "EEG": "electroencephalogram, a test of the brain's electrical activity",
    "BMI": "body mass index, a measure of weight for height",
    "HbA1c": "a blood test showing average blood sugar over about three months",
    "LDL": "'bad' cholesterol",
    "SSRI": "selective serotonin reuptake inhibitor, a common type of antidepressant",
    "SSRIs": "selective serotonin reuptake inhibitors, a common type of antidepressant",
    # jargon
    "chronic": "long-lasting",
    "acute": "sudden and short-term",
    "relapse": "a flare-up, when symptoms come back or get worse",
    "remission": "a time when symptoms ease or go away",
    "progressive": "slowly getting worse over time",
    "immunosuppressive": "lowering the body's immune defences",
    "immunosuppressant": "a medicine that lowers the body's immune defences",
    "autoimmune": "when the immune system attacks the body's own tissues",
    "inflammation": "swelling and irritation, the body's reaction to injury or infection",
    "inflammatory": "causing swelling and irritation",
    "lesion": "an area of damaged tissue",
    "demyelination": "damage to the protective coating around nerves",
    "myelin": "the protective coating around nerves",
    "monoclonal antibody": "a lab-made protein that targets one specific part of the immune system",
    "placebo": "a dummy treatment with no active medicine, used for comparison in studies",
    "randomized": "people were put into treatment groups by chance, to make the comparison fair",
    "cohort": "a group of people followed over time in a study",
    "meta-analysis": "a study that combines the results of many studies",
    "efficacy": "how well a treatment works",
    "adverse": "harmful or unwanted",
    "contraindicated": "should not be used in this situation",
    "contraindication": "a reason not to use a treatment",
    "prophylaxis": "treatment to prevent a disease",
    "prognosis": "the likely course and outcome of a disease",
    "symptomatic": "aimed at relieving symptoms",
    "subcutaneous": "given as an injection under the skin",
    "intravenous": "given through a drip into a vein",
    "infusion": "medicine given slowly through a drip into a vein",
    "spasticity": "stiff, tight muscles",
    "hypertension": "high blood pressure",
    "hypotension": "low blood pressure",
    "renal": "about the kidneys",
    "hepatic": "about the liver",
    "cardiovascular": "about the heart and blood vessels",
    "pulmonary": "about the lungs",
    "gastrointestinal": "about the stomach and intestines",
    "neurological": "about the brain and nerves",
    "asymptomatic": "without symptoms",
    "benign": "not cancer, not harmful",
    "malignant": "cancerous",
    "metastatic": "cancer that has spread to other parts of the body",
    "incidence": "how many new cases appear in a given time",
    "prevalence": "how many people have the condition",
    "mortality": "death rate",
    "morbidity": "illness or health problems",
    "etiology": "the cause of a disease",
    "idiopathic": "of unknown cause",
    "hereditary": "passed down in families",
    "biopsy": "taking a small piece of tissue to look at under a microscope",
    "corticosteroids": "strong anti-inflammatory medicines, such as prednisone",
}


def _pattern(term: str) -> re.Pattern[str]:
    if (
        term.isupper()
        or any(c.isdigit() for c in term)
        or term.endswith("s")
        and term[:-1].isupper()
    ):
        return re.compile(rf"\b{re.escape(term)}\b")
    return re.compile(rf"\b{re.escape(term)}(?:s|es|ly)?\b", re.IGNORECASE)


_PATTERNS = {term: _pattern(term) for term in GLOSSARY}


def explain(text: str) -> list[tuple[str, str]]:
    """``(term, plain meaning)`` for each glossary term in ``text``, in order of appearance."""
    found = [(m.start(), term) for term, p in _PATTERNS.items() if (m := p.search(text))]
    return [(term, GLOSSARY[term]) for _, term in sorted(found)]
