"""Measurements for the real-world sources (BENCHMARKS.md, section "Sources").

    python -m medcite.eval.bench.sources [--out bench-out/sources.json] [--skip-dosing]

1. **PDF ingest**: a generated guideline PDF (reportlab, a ``dev`` dependency) of ``PDF_PAGES``
   pages: pages/s for parsing alone (`read_documents`) and for the whole `Engine.ingest`
   (parse, chunk, store, BM25 index).
2. **SPL labels**: the real Lipitor SPL from ``../shared/data`` as ``LABEL_COPIES`` labels (each
   copy its own set id): labels/s to parse, and through `Engine.ingest`.
3. **PubMed fetch**: `fetch_pubmed` against the local E-utilities replay server serving
   ``FETCH_RECORDS`` records in batches of ``FETCH_BATCH``, at NCBI's documented limits (3
   requests/s without a key, 10 with one): requests/s achieved vs the limit, records/s.
4. **Dosing questions**: the demo corpus plus the Lipitor label; for each of
   ``DOSING_QUESTIONS``, whether a dosing statement (the bottom line of a dosing question, or
   a statement of a dosing section) cites a label passage — with the per-intent priors
   (`SearchSettings.intent_prior`, `ComposeSettings.label_bonus`) on, and off.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from lxml import etree

from medcite.config import NcbiSettings, Settings
from medcite.demo import demo_paths, find_shared_data
from medcite.fetch.pubmed import fetch_pubmed
from medcite.models import Answer, Document, Statement
from medcite.service import Engine
from medcite.sources import read_documents
from medcite.sources.common import open_binary
from medcite.testing.eutils_replay import ReplayServer

PDF_PAGES = 60
LABEL_COPIES = 50
FETCH_RECORDS = 1000
FETCH_BATCH = 200
SPL_SAMPLE = "fda_spl_samples/openfda__lipitor-orig.xml"
SPL_SET_ID = b"c6e131fe-e7df-4876-83f7-9156fc4e8228"
# Dosing questions about the one drug the shared data has a label for (atorvastatin/Lipitor),
# worded the way clinicians ask, by brand and by generic name.
DOSING_QUESTIONS = (
    "What is the recommended starting dose of atorvastatin?",
    "What is the dose of Lipitor for hyperlipidemia?",
    "What is the maximum dose of atorvastatin?",
    "How should atorvastatin be dosed in patients with renal impairment?",
    "What is the atorvastatin dose for children with heterozygous familial hypercholesterolemia?",
    "What dose of Lipitor is used in homozygous familial hypercholesterolemia?",
    "What is the maximum atorvastatin dose with clarithromycin?",
    "How is Lipitor dosed with cyclosporine?",
    "What atorvastatin dose is used with itraconazole?",
    "How often is atorvastatin dosed?",
    "What is the usual dosage of atorvastatin for preventing cardiovascular disease?",
    "What is the Lipitor dose for patients taking HIV protease inhibitors?",
)


def bench_pdf(work: Path) -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    heading = ParagraphStyle("h", fontName="Helvetica-Bold", fontSize=14, leading=18)
    body = ParagraphStyle("b", fontName="Helvetica", fontSize=10, leading=13)
    sentence = (
        "The panel recommends that clinicians discuss the benefits and harms of each option "
        "with the patient and review the response at every visit (Level B). "
    )
    story: list[Any] = []
    for page in range(1, PDF_PAGES + 1):
        story += [Paragraph(f"{page} Recommendation topic {page}", heading)]
        story += [Paragraph(sentence * 6, body) for _ in range(4)] + [PageBreak()]
    path = work / "guideline.pdf"
    SimpleDocTemplate(str(path), title="Benchmark guideline").build(story)
    started = time.perf_counter()
    [document] = [d for d in read_documents(path) if isinstance(d, Document)]
    parse_s = time.perf_counter() - started
    pages = len(document.metadata["page_starts"])
    with Engine(Settings(home=work / "pdf-home")) as engine:
        started = time.perf_counter()
        engine.ingest([path])
        ingest_s = time.perf_counter() - started
    return {
        "pages": pages,
        "parse_s": round(parse_s, 3),
        "parse_pages_per_s": round(pages / parse_s, 1),
        "ingest_s": round(ingest_s, 3),
        "ingest_pages_per_s": round(pages / ingest_s, 1),
    }


def bench_spl(shared: Path, work: Path) -> dict[str, Any]:
    original = (shared / SPL_SAMPLE).read_bytes()
    folder = work / "labels"
    folder.mkdir()
    for copy in range(LABEL_COPIES):
        set_id = f"00000000-0000-4000-8000-{copy:012d}".encode()
        (folder / f"label-{copy:03d}.xml").write_bytes(original.replace(SPL_SET_ID, set_id))
    paths = sorted(folder.iterdir())
    started = time.perf_counter()
    documents = sum(1 for p in paths for d in read_documents(p) if isinstance(d, Document))
    parse_s = time.perf_counter() - started
    with Engine(Settings(home=work / "spl-home")) as engine:
        started = time.perf_counter()
        report = engine.ingest([folder])
        ingest_s = time.perf_counter() - started
    return {
        "labels": len(paths),
        "documents": documents,
        "passages": report.total("passages"),
        "parse_labels_per_s": round(len(paths) / parse_s, 1),
        "ingest_labels_per_s": round(len(paths) / ingest_s, 1),
    }


def replay_articles(shared: Path, count: int) -> list[bytes]:
    """``count`` real sample records, cycled, each copy with its own PMID."""
    samples: list[etree._Element] = []
    for path in sorted((shared / "pubmed_xml_samples").glob("*.xml*")):
        with open_binary(path) as handle:
            samples += list(etree.parse(handle).getroot().iter("PubmedArticle"))
    articles = []
    for n in range(count):
        element = samples[n % len(samples)]
        pmid = element.find("MedlineCitation/PMID")
        assert pmid is not None
        pmid.text = str(90_000_000 + n)
        articles.append(etree.tostring(element))
    return articles


def bench_fetch(shared: Path, work: Path) -> list[dict[str, Any]]:
    results = []
    for key in (None, "benchmark-key"):
        with ReplayServer(replay_articles(shared, FETCH_RECORDS)) as server:
            settings = NcbiSettings(base_url=server.base_url, api_key=key, batch_size=FETCH_BATCH)
            report = fetch_pubmed("benchmark", work / f"fetch-{bool(key)}", settings)
            times = [r.at for r in server.requests]
        span = times[-1] - times[0]
        results.append(
            {
                "api_key": bool(key),
                "limit_requests_per_s": report.rate_limit,
                "requests": report.requests,
                "achieved_requests_per_s": round((len(times) - 1) / span, 2),
                "records": report.records_fetched,
                "seconds": report.seconds,
                "records_per_s": round(report.records_fetched / report.seconds, 1),
            }
        )
    return results


def dosing_statements(answer: Answer) -> list[Statement]:
    """The statements of the dosing sections, and the bottom line of a dosing question."""
    found = [
        s for section in answer.sections if section.kind == "dosing" for s in section.statements
    ]
    if answer.intent == "dosing" and answer.bottom_line.citations:
        found.insert(0, answer.bottom_line)
    return found


def label_cited_in_dosing(answer: Answer) -> bool:
    """Whether a dosing statement of the answer cites a drug-label passage."""
    label_refs = {r.n for r in answer.references if r.document.evidence_level.value == "label"}
    return any(set(s.citations) & label_refs for s in dosing_statements(answer))


def bench_dosing(shared: Path, work: Path) -> dict[str, Any]:
    home = work / "dosing-home"
    with Engine(Settings(home=home)) as engine:
        engine.ingest([*demo_paths(shared), shared / SPL_SAMPLE])
    result: dict[str, Any] = {"questions": len(DOSING_QUESTIONS)}
    variants = {
        "priors_on": Settings(home=home),
        "priors_off": Settings(home=home, search={"intent_prior": 0}, compose={"label_bonus": 0}),
    }
    for name, settings in variants.items():
        with Engine(settings) as engine:
            answers = [engine.ask(q) for q in DOSING_QUESTIONS]
        cited = [label_cited_in_dosing(a) for a in answers]
        result[name] = {
            "label_cited_share": round(sum(cited) / len(cited), 3),
            "with_dosing_statements": sum(bool(dosing_statements(a)) for a in answers),
            "per_question": dict(zip(DOSING_QUESTIONS, cited, strict=True)),
        }
    return result


def run(skip_dosing: bool = False) -> dict[str, Any]:
    shared = find_shared_data(None)
    with tempfile.TemporaryDirectory(prefix="medcite-sources-bench-") as tmp:
        work = Path(tmp)
        results: dict[str, Any] = {
            "machine": {"python": platform.python_version(), "cpu": platform.processor()},
            "pdf": bench_pdf(work),
            "spl": bench_spl(shared, work),
            "fetch": bench_fetch(shared, work),
        }
        if not skip_dosing:
            results["dosing"] = bench_dosing(shared, work)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench-out/sources.json"))
    parser.add_argument("--skip-dosing", action="store_true", help="No demo-corpus ingest.")
    args = parser.parse_args()
    results = run(args.skip_dosing)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
