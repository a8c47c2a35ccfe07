"""Gzipped PubMed baseline/update files made at test time from the real samples in
``../shared/data/pubmed_xml_samples``: the sample articles cloned under new PMIDs."""

from __future__ import annotations

import copy
import gzip
from pathlib import Path

from lxml import etree

from medcite.sources.common import open_binary


def sample_articles(shared_data: Path) -> list[etree._Element]:
    """Every ``PubmedArticle`` of the shared samples (with an abstract), in file order."""
    found = []
    for path in sorted((shared_data / "pubmed_xml_samples").glob("*.xml*")):
        with open_binary(path) as handle:
            root = etree.parse(handle, etree.XMLParser(load_dtd=False, no_network=True)).getroot()
        found += [a for a in root.iter("PubmedArticle") if a.find(".//AbstractText") is not None]
    return found


def article(template: etree._Element, pmid: int, title_note: str = "") -> etree._Element:
    """A copy of ``template`` under ``pmid`` (PubMed data and ids rewritten)."""
    clone = copy.deepcopy(template)
    clone.find("MedlineCitation/PMID").text = str(pmid)
    for pubmed_id in clone.iterfind("PubmedData/ArticleIdList/ArticleId[@IdType='pubmed']"):
        pubmed_id.text = str(pmid)
    title = clone.find("MedlineCitation/Article/ArticleTitle")
    title.text = f"{title_note}{''.join(title.itertext())} (record {pmid})"
    for child in list(title):
        title.remove(child)
    return clone


def write_pubmed_gz(
    path: Path, articles: list[etree._Element], deleted: list[int] | tuple[int, ...] = ()
) -> Path:
    """A ``PubmedArticleSet`` file as NLM ships them: articles, then ``DeleteCitation``."""
    root = etree.Element("PubmedArticleSet")
    root.extend(articles)
    if deleted:
        deletion = etree.SubElement(root, "DeleteCitation")
        for pmid in deleted:
            etree.SubElement(deletion, "PMID", Version="1").text = str(pmid)
    with gzip.open(path, "wb") as out:
        out.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return path


def baseline(
    directory: Path, shared_data: Path, *, files: int, per_file: int, first_pmid: int = 90_000_001
) -> dict[str, list[int]]:
    """``files`` baseline files of ``per_file`` articles each: name -> PMIDs."""
    directory.mkdir(parents=True, exist_ok=True)
    templates = sample_articles(shared_data)
    made: dict[str, list[int]] = {}
    pmid = first_pmid
    for number in range(1, files + 1):
        pmids = list(range(pmid, pmid + per_file))
        pmid += per_file
        name = f"pubmed99n{number:04d}.xml.gz"
        write_pubmed_gz(
            directory / name, [article(templates[p % len(templates)], p) for p in pmids]
        )
        made[name] = pmids
    return made
