"""The server-rendered pages over HTTP (no JavaScript), parsed and asserted structurally."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from jinja2 import Environment
from webtools import MS_QUESTION, page, text_of

from medcite.config import Settings
from medcite.service import Engine
from medcite.web.app import create_app
from medcite.web.pages import answer_context
from medcite.web.view import review_view

HTML = {"accept": "text/html"}


def test_home_shows_search_examples_and_corpus(client: httpx.Client, engine: Engine) -> None:
    doc = page(client.get("/"))
    assert doc.xpath("//form[@action='/ask']//input[@name='q']")
    assert len(doc.xpath("//section[@class='examples']//a[starts-with(@href, '/ask?q=')]")) >= 3
    corpus = engine.status()["corpus"]
    rows = {
        text_of(tr[0]): int(text_of(tr[1]).replace(",", ""))
        for tr in doc.xpath("//section[@class='corpus']//tbody/tr")
    }
    assert rows == corpus["by_collection"]
    assert corpus["last_ingest"][:10] in text_of(doc.xpath("//section[@class='corpus']")[0])


def test_answer_page_has_every_part(client: httpx.Client, engine: Engine) -> None:
    answer = engine.answer(MS_QUESTION).to_dict()
    doc = page(client.get("/ask", params={"q": MS_QUESTION}))
    article = doc.xpath("//article[@class='answer']")[0]
    assert text_of(article.xpath(".//h1")[0]) == answer["question"]
    bottom = text_of(article.xpath(".//section[@class='bottom-line']//strong")[0])
    assert bottom.startswith(answer["bottom_line"]["text"])
    # every citation links to an entry of the reference list, which links out honestly
    ref_ids = set(article.xpath(".//section[@class='references']//li/@id"))
    assert len(ref_ids) == len(answer["references"])
    targets = {href[1:] for href in article.xpath(".//a[@class='cite']/@href")}
    assert targets and targets <= ref_ids
    for ref, li in zip(
        answer["references"], article.xpath(".//section[@class='references']//li"), strict=True
    ):
        assert text_of(li.xpath(".//span[@class='ref-title']")[0]) == " ".join(ref["title"].split())
        links = li.xpath(".//a[@class='ref-link']/@href")
        if ref["doc_id"].startswith("pmid:"):
            assert links == [f"https://pubmed.ncbi.nlm.nih.gov/{ref['doc_id'][5:]}/"]
        else:
            assert links == ([ref["url"]] if ref["url"] else [])
    # previews carry the cited passage with a highlighted span
    assert article.xpath(".//span[@class='preview']//mark")
    # review strip: pending, never approved; last updated; policy link; disclaimer
    review = article.xpath(".//div[contains(@class, 'review')]")[0]
    assert "review-pending" in review.get("class") and "review-approved" not in review.get("class")
    assert "Educational purpose only • pending human review" in text_of(review)
    assert article.xpath(".//a[@href='/editorial-policy']")
    assert answer["disclaimer"] in text_of(article.xpath(".//p[@class='disclaimer']")[0])
    # audience selector and follow-up box work as plain forms
    assert article.xpath(".//form[@class='audience']//input[@value='clinician'][@checked]")
    assert doc.xpath("//form[@id='follow-up']//input[@name='history']/@value") == [MS_QUESTION]
    assert article.xpath(".//a[starts-with(@href, '/ask.md?')]")
    assert article.xpath(".//a[starts-with(@href, '/ask.json?')]")


def test_each_source_appears_once_with_its_passages_after_the_warnings(
    client: httpx.Client, engine: Engine
) -> None:
    answer = engine.answer(MS_QUESTION, live=True).to_dict()
    article = page(client.get("/ask", params={"q": MS_QUESTION})).xpath("//article")[0]
    items = article.xpath(".//section[@class='references']//li")
    assert [li.get("value") for li in items] == [str(r["n"]) for r in answer["references"]]
    assert len({r["doc_id"] for r in answer["references"]}) == len(items)  # each source once
    for ref, li in zip(answer["references"], items, strict=True):
        assert text_of(li.xpath(".//span[@class='ref-date']")[0]) == (ref["date"] or "undated")
        assert li.xpath(".//span[starts-with(@class, 'badge evidence')]")
        quotes = li.xpath(".//details[@class='ref-passage']//blockquote")
        assert [q.get("data-passage-id") for q in quotes] == [
            p["passage_id"] for p in ref["passages"]
        ]
        assert [q.text_content() for q in quotes] == [p["text"] for p in ref["passages"]]
    assert any(len(r["passages"]) > 1 for r in answer["references"])
    # a citation's preview shows the passage of the source its statement quotes, marked
    statements = [answer["bottom_line"]] + [
        s for section in answer["sections"] for s in section["statements"]
    ]
    shown = article.xpath(
        ".//section[@class='bottom-line']//strong"
        " | .//section[contains(@class, 'answer-section')]//li"
    )
    by_id = {p["passage_id"]: p["text"] for r in answer["references"] for p in r["passages"]}
    for statement, element in zip(statements, shown, strict=True):
        previews = element.xpath(".//span[@class='preview-text']")
        for n, preview in zip(statement["citations"], previews, strict=True):
            evidence = next(e for e in statement["evidence"] if e["n"] == n)
            assert preview.text_content() == by_id[evidence["passage_id"]]
            assert [m.text_content() for m in preview.xpath(".//mark")] == [evidence["quote"]]
    # the limits of the evidence come above the content; last updated says what it dates
    order = [e.get("class") for e in article.xpath("./aside | ./section | ./p")]
    assert order.index("warnings") < order.index("bottom-line")
    assert text_of(article.xpath(".//span[@class='updated-basis']")[0]) == (
        "(newest ingest of its sources)"
    )


def test_audience_and_follow_up_without_javascript(client: httpx.Client) -> None:
    doc = page(
        client.get(
            "/ask",
            params={
                "q": "What are the side effects?",
                "audience": "patient",
                "history": MS_QUESTION,
            },
        )
    )
    assert doc.xpath("//article//input[@name='audience'][@value='patient'][@checked]")
    assert doc.xpath("//nav[@class='thread-history']//a/text()") == [MS_QUESTION]
    assert doc.xpath("//form[@id='follow-up']//input[@name='history']/@value") == [
        MS_QUESTION,
        "What are the side effects?",
    ]
    assert doc.xpath("//article[@id='a1']"), "the second turn gets its own ids"


def test_fragment_is_only_the_answer(client: httpx.Client) -> None:
    response = client.get("/ask", params={"q": MS_QUESTION}, headers={"X-Medcite-Fragment": "1"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<article")
    assert "<html" not in response.text and "follow-up" not in response.text


def test_markdown_and_json_twins(client: httpx.Client, engine: Engine) -> None:
    from medcite.compose.markdown import to_markdown

    md = client.get("/ask.md", params={"q": MS_QUESTION})
    assert md.headers["content-type"].startswith("text/markdown")
    assert md.text == to_markdown(engine.answer(MS_QUESTION))
    data = client.get("/ask.json", params={"q": MS_QUESTION, "audience": "student"}).json()
    assert data["audience"] == "student" and data["question"] == MS_QUESTION


@pytest.mark.parametrize("path", ["/about", "/editorial-policy", "/docs"])
def test_static_pages(client: httpx.Client, path: str) -> None:
    assert page(client.get(path)).xpath("//h1")


def test_html_errors_for_browsers(client: httpx.Client) -> None:
    missing = client.get("/no-such-page", headers=HTML)
    assert missing.status_code == 404 and "<form" in missing.text
    empty = client.get("/ask", params={"q": ""}, headers=HTML)
    assert empty.status_code == 400 and "the question is empty" in empty.text


def test_corpus_text_is_escaped(hostile_server: str) -> None:
    with httpx.Client(base_url=hostile_server) as http:
        response = http.get("/ask", params={"q": "How is gout treated? <script>alert(2)</script>"})
    assert response.status_code == 200
    body = response.text
    assert "&lt;script&gt;window.__xss" in body, "the hostile passage must be cited, escaped"
    assert "<script>alert" not in body and "<script>window" not in body
    assert "<img src=x" not in body and "<b onmouseover" not in body
    assert "javascript:" not in body


def test_fields_from_later_stages_render_when_present(
    app_templates: Environment, engine: Engine
) -> None:
    answer = engine.answer(MS_QUESTION)
    context = answer_context(answer, [])
    data = context["a"]
    first = data["sections"][0]["statements"][0]
    first["label"], first["reasons"] = "contradicted", ["source 1 says the opposite"]
    template = app_templates.get_template("_answer.html")
    off_topic_before = template.render(context).count("sources about another topic")
    second = data["sections"][0]["statements"][1]
    assert second["on_topic"] is True  # every MS page is about the question's topic
    second["on_topic"] = False
    data["conflicts"] = [{"summary": "Sources <differ> on dose", "references": [1], "kind": "dose"}]
    data["related_questions"] = ["How is MS diagnosed?"]
    data["answering"] = "What are the treatment options for MS in children?"
    html = app_templates.get_template("_answer.html").render(context)
    assert "contradicted by a source" in html and "source 1 says the opposite" in html
    assert html.count("sources about another topic") == off_topic_before + 1
    assert "Sources disagree" in html and "Sources &lt;differ&gt; on dose" in html
    assert 'href="/ask?q=How+is+MS+diagnosed%3F&amp;audience=clinician"' in html
    assert "Answering: What are the treatment options for MS in children?" in html
    assert "review-approved" not in html
    context["review"] = review_view({"status": "approved", "reviewed_by": "Dr Ada"})
    approved = app_templates.get_template("_answer.html").render(context)
    assert "review-approved" in approved and "Approved by Dr Ada" in approved
    assert "pending human review" not in approved


@pytest.fixture
def app_templates(web_settings: Settings) -> Environment:
    app: FastAPI = create_app(web_settings)
    return app.state.templates.env
