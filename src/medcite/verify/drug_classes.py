"""Drug classes from the stems of nonproprietary names (USAN/INN stems): "metoprolol" and
"propranolol" are both beta blockers because both end in "-olol".

    drug_class("atorvastatin")   # "statins"
    drug_class("aspirin")        # None: no stem says its class

The stems are the published naming conventions, so the table covers new drugs of a class
without listing them; drugs named before the conventions (aspirin, warfarin, digoxin) have
no class here. Used to say *why* a swapped drug matters ("both beta blockers").
"""

from __future__ import annotations

# (suffix, class), longest suffixes first where they overlap.
_STEMS: tuple[tuple[str, str], ...] = (
    ("olol", "beta blockers"),
    ("alol", "beta blockers"),
    ("pril", "ACE inhibitors"),
    ("sartan", "angiotensin receptor blockers"),
    ("dipine", "calcium channel blockers"),
    ("statin", "statins"),
    ("gliptin", "DPP-4 inhibitors"),
    ("gliflozin", "SGLT2 inhibitors"),
    ("glutide", "GLP-1 receptor agonists"),
    ("glitazone", "thiazolidinediones"),
    ("prazole", "proton pump inhibitors"),
    ("tidine", "H2 receptor antagonists"),
    ("triptan", "triptans"),
    ("oxacin", "fluoroquinolones"),
    ("cycline", "tetracyclines"),
    ("cillin", "penicillins"),
    ("conazole", "azole antifungals"),
    ("ciclovir", "antiviral nucleoside analogues"),
    ("cyclovir", "antiviral nucleoside analogues"),
    ("parin", "heparins"),
    ("xaban", "factor Xa inhibitors"),
    ("gatran", "thrombin inhibitors"),
    ("grel", "P2Y12 antiplatelet drugs"),
    ("dronate", "bisphosphonates"),
    ("pam", "benzodiazepines"),
    ("lam", "benzodiazepines"),
    ("tinib", "kinase inhibitors"),
    ("ximab", "monoclonal antibodies"),
    ("zumab", "monoclonal antibodies"),
    ("umab", "monoclonal antibodies"),
    ("mab", "monoclonal antibodies"),
    ("setron", "5-HT3 antagonists"),
    ("profen", "NSAIDs"),
    ("coxib", "NSAIDs"),
    ("caine", "local anaesthetics"),
    ("sone", "corticosteroids"),
    ("olone", "corticosteroids"),
    ("terol", "beta2 agonists"),
    ("tropium", "antimuscarinics"),
    ("vir", "antivirals"),
    ("ase", "enzymes"),
)


def drug_class(name: str) -> str | None:
    """The class a drug name's stem gives, or None."""
    lowered = name.lower()
    for suffix, kind in _STEMS:
        if lowered.endswith(suffix) and len(lowered) > len(suffix) + 2:
            return kind
    return None
