"""Drug labels (FDA SPL and openFDA JSON) as documents: one per label section kind.

Both readers (`medcite.sources.spl`, `medcite.sources.openfda`) parse a label into a `Label`;
`label_documents` turns it into documents the same way, so a label ingested from DailyMed XML
and the same label from openFDA JSON get the same document ids and replace each other.

Per label and section kind present (``SECTION_KINDS``):

- doc_id ``label:<set id>:<kind>`` — stable across label versions, so re-ingesting a newer
  version replaces the old passages instead of adding a second copy;
- title ``"<BRAND> (<generic>) label: <Section>"``: brand and generic names are both in the
  title, which is indexed with every passage, so "Lipitor" finds atorvastatin passages and
  "atorvastatin" finds Lipitor's;
- text: the section's paragraphs, list items and table rows, each a block; passages carry the
  heading path as their section ("Dosage and administration › 2.5 Renal impairment");
- evidence level "label"; year of the effective date; url the DailyMed set id page;
- metadata: ``set_id``, ``version``, ``effective_date`` (ISO), ``label_section`` (kind),
  ``brand_names``, ``generic_names``, ``manufacturer``, ``missing_sections`` (kinds the label
  lacks), ``label_format`` ("spl" or "openfda").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from medcite.models import Document
from medcite.sources.blocks import TextBuilder, heading_label
from medcite.sources.common import RecordError, check_document
from medcite.sources.evidence import evidence_level


@dataclass(frozen=True)
class SectionKind:
    """A kind of label section: its LOINC codes (SPL) and openFDA field names."""

    kind: str
    title: str
    loinc: frozenset[str]
    openfda_fields: tuple[str, ...]


def _kind(kind: str, title: str, loinc: Iterable[str], fields: Iterable[str]) -> SectionKind:
    return SectionKind(kind, title, frozenset(loinc), tuple(fields))


SECTION_KINDS: tuple[SectionKind, ...] = (
    _kind("indications", "Indications and usage", ["34067-9"], ["indications_and_usage"]),
    _kind(
        "dosage_and_administration",
        "Dosage and administration",
        ["34068-7"],
        ["dosage_and_administration"],
    ),
    _kind(
        "dosage_forms", "Dosage forms and strengths", ["43678-2"], ["dosage_forms_and_strengths"]
    ),
    _kind("contraindications", "Contraindications", ["34070-3"], ["contraindications"]),
    _kind(
        "warnings_and_precautions",
        "Warnings and precautions",
        # boxed warning, warnings and precautions (PLR), warnings, precautions (old format)
        ["34066-1", "43685-7", "34071-1", "42232-9"],
        ["boxed_warning", "warnings_and_cautions", "warnings", "precautions"],
    ),
    _kind("adverse_reactions", "Adverse reactions", ["34084-4"], ["adverse_reactions"]),
    _kind("drug_interactions", "Drug interactions", ["34073-7"], ["drug_interactions"]),
    _kind(
        "specific_populations",
        "Use in specific populations",
        # the PLR section, and the old format's top-level pregnancy, nursing, pediatric, geriatric
        ["43684-0", "42228-7", "34080-2", "34081-0", "34082-8"],
        [
            "use_in_specific_populations",
            "pregnancy",
            "nursing_mothers",
            "pediatric_use",
            "geriatric_use",
        ],
    ),
)
KIND_BY_LOINC: dict[str, SectionKind] = {code: k for k in SECTION_KINDS for code in k.loinc}
DAILYMED_URL = "https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={set_id}"


@dataclass
class Label:
    """A parsed label: identity, names and, per section kind, (heading path, block) pairs."""

    set_id: str
    version: str | None
    effective_date: str | None  # ISO date
    brand_names: list[str]
    generic_names: list[str]
    manufacturer: str | None
    label_format: str  # "spl" | "openfda"
    collection: str  # "dailymed" | "openfda"
    source: str
    blocks: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)

    def add(self, kind: str, path: tuple[str, ...], block: str) -> None:
        self.blocks.setdefault(kind, []).append((path, block))


def iso_date(value: str | None) -> str | None:
    """``"20140113"`` → ``"2014-01-13"``; None for anything that is not 8 digits."""
    digits = (value or "")[:8]
    if len(digits) == 8 and digits.isdigit():
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    return None


def drug_name(label: Label) -> str:
    """``"LIPITOR (atorvastatin calcium)"``: brand names, then generic names in brackets."""
    brands = ", ".join(label.brand_names)
    generics = ", ".join(n for n in label.generic_names if n.lower() not in brands.lower())
    if brands and generics:
        return f"{brands} ({generics})"
    return brands or generics or f"set id {label.set_id}"


def label_documents(label: Label) -> list[Document]:
    """One document per section kind the label has; raises `RecordError` when it has none."""
    if not label.set_id:
        raise RecordError("label has no set id")
    present = [k for k in SECTION_KINDS if any(b.strip() for _, b in label.blocks.get(k.kind, []))]
    if not present:
        wanted = ", ".join(k.title.lower() for k in SECTION_KINDS)
        raise RecordError(f"label has none of the sections medcite reads ({wanted})")
    missing = [k.kind for k in SECTION_KINDS if k not in present]
    name = drug_name(label)
    year = int(label.effective_date[:4]) if label.effective_date else None
    metadata = {
        "set_id": label.set_id,
        "version": label.version,
        "effective_date": label.effective_date,
        "brand_names": label.brand_names,
        "generic_names": label.generic_names,
        "manufacturer": label.manufacturer,
        "missing_sections": missing,
        "label_format": label.label_format,
    }
    documents = []
    for kind in present:
        builder = TextBuilder()
        for path, block in label.blocks[kind.kind]:
            builder.add(block, heading_label((kind.title, *path)))
        title = f"{name} label: {kind.title}"
        documents.append(
            check_document(
                Document(
                    doc_id=f"label:{label.set_id}:{kind.kind}",
                    collection=label.collection,
                    title=title,
                    text=builder.text,
                    source=label.source,
                    year=year,
                    url=DAILYMED_URL.format(set_id=label.set_id),
                    evidence_level=evidence_level((), label.collection, title, ""),
                    sections=builder.sections,
                    metadata={**metadata, "label_section": kind.kind},
                )
            )
        )
    return documents
