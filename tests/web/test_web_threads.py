"""Threads over HTTP (API and pages without JavaScript) and the audience cookie, against a real
uvicorn server on the fixture corpus."""

from __future__ import annotations

from pathlib import Path

import httpx
import jsonschema
from webtools import MS_QUESTION, assert_error, page, text_of

from medcite.config import Settings, WebSettings
from medcite.web.app import create_app
from medcite.web.audience import COOKIE
from medcite.web.server import serve_in_thread

FOLLOW_UP = "What about dosing?"
# The audience radio button of the first answer (its "checked" attribute is asserted).
CHECKED = "//article[@id='a0']//input[@name='audience'][@value='%s']"


def new_thread(client: httpx.Client, **body: str) -> dict:
    response = client.post("/api/v1/threads", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_a_thread_with_its_first_question(client: httpx.Client, answer_schema: dict) -> None:
    thread = new_thread(client, question=MS_QUESTION, audience="nurse")
    assert thread["url"] == f"/threads/{thread['thread_id']}"
    assert thread["audience"] == "nurse"
    [turn] = thread["turns"]
    assert turn["ordinal"] == 1 and turn["question"] == MS_QUESTION
    jsonschema.validate(turn["answer"], answer_schema)
    assert turn["answer"]["audience"] == "nurse" and turn["answer"]["references"]
    assert client.get(f"/api/v1/threads/{thread['thread_id']}").json() == thread


def test_a_follow_up_is_rewritten_in_the_thread(client: httpx.Client, answer_schema: dict) -> None:
    thread_id = new_thread(client)["thread_id"]
    assert client.get(f"/api/v1/threads/{thread_id}").json()["turns"] == []
    first = client.post(f"/api/v1/threads/{thread_id}/answers", json={"question": MS_QUESTION})
    assert first.status_code == 200, first.text
    assert first.json()["turn"] == 1
    response = client.post(f"/api/v1/threads/{thread_id}/answers", json={"question": FOLLOW_UP})
    assert response.status_code == 200, response.text
    answer = response.json()
    jsonschema.validate(answer, answer_schema)
    assert (answer["thread_id"], answer["turn"]) == (thread_id, 2)
    assert answer["thread_url"] == f"/threads/{thread_id}"
    assert answer["question"] == FOLLOW_UP
    assert "dosing" in answer["answering"] and "multiple sclerosis" in answer["answering"]
    assert answer["engine"]["thread_turns"] == 1
    turns = client.get(f"/api/v1/threads/{thread_id}").json()["turns"]
    assert [t["question"] for t in turns] == [MS_QUESTION, FOLLOW_UP]
    assert turns[1]["answering"] == answer["answering"]


def test_a_thread_keeps_its_latest_audience(client: httpx.Client) -> None:
    thread_id = new_thread(client, question=MS_QUESTION, audience="patient")["thread_id"]
    answer = client.post(f"/api/v1/threads/{thread_id}/answers", json={"question": FOLLOW_UP})
    assert answer.json()["audience"] == "patient"
    kinds = {note["kind"] for note in answer.json()["audience_notes"]}
    assert {"talk_to_care_team", "ask_your_clinician"} <= kinds
    switched = client.post(
        f"/api/v1/threads/{thread_id}/answers",
        json={"question": "And in pregnancy?", "audience": "pharmacist"},
    )
    assert switched.json()["audience"] == "pharmacist"


def test_thread_errors_are_json(client: httpx.Client) -> None:
    assert_error(client.get("/api/v1/threads/nope"), 404, "not_found")
    missing = client.post("/api/v1/threads/nope/answers", json={"question": FOLLOW_UP})
    assert "nope" in assert_error(missing, 404, "not_found")["message"]
    assert_error(client.get("/api/v1/threads/bad%20id!"), 422, "invalid_parameters")
    assert_error(client.post("/api/v1/threads", json={"audience": "robot"}), 422)
    assert_error(client.post("/api/v1/threads", json={"surprise": 1}), 422)
    thread_id = new_thread(client)["thread_id"]
    answers = f"/api/v1/threads/{thread_id}/answers"
    assert_error(client.post(answers, json={}), 422, "invalid_parameters")
    assert_error(client.post(answers, json={"question": "   "}), 400, "bad_question")
    assert_error(client.post("/api/v1/threads", json={"question": ""}), 400, "bad_question")
    assert client.get(f"/api/v1/threads/{thread_id}").json()["turns"] == []


def test_thread_answers_share_the_rate_limit(built_home: Path) -> None:
    tight = Settings(home=built_home, web=WebSettings(answers_per_minute=1, answer_burst=1))
    with serve_in_thread(create_app(tight)) as base, httpx.Client(base_url=base) as http:
        assert http.post("/api/v1/threads", json={}).status_code == 201
        limited = http.post("/api/v1/threads", json={})
        error = assert_error(limited, 429, "rate_limited")
        assert f"retry after {limited.headers['retry-after']} s" in error["message"]
        assert http.get("/api/v1/threads/nope").status_code == 404  # reading is not limited


def test_the_thread_endpoints_are_in_the_openapi_spec(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"post"} <= set(paths["/api/v1/threads"])
    assert {"post"} <= set(paths["/api/v1/threads/{thread_id}/answers"])
    assert {"get"} <= set(paths["/api/v1/threads/{thread_id}"])


def test_follow_up_form_without_javascript_makes_a_thread_page(client: httpx.Client) -> None:
    form = {"q": FOLLOW_UP, "audience": "clinician", "history": [MS_QUESTION]}
    posted = client.post("/threads", data=form)
    assert posted.status_code == 303
    location = posted.headers["location"]
    assert location.startswith("/threads/") and location.endswith("#a1")
    doc = page(client.get(location))
    titles = [text_of(h) for h in doc.xpath("//*[@id='thread']/article/header/h1")]
    assert titles == [MS_QUESTION, FOLLOW_UP]
    answering = [text_of(p) for p in doc.xpath("//*[@id='thread']//p[@class='answering']")]
    assert len(answering) == 1 and answering[0].startswith("Answering: dosing")
    assert doc.get_element_by_id("follow-up").get("action") == location.split("#")[0]

    more = client.post(location.split("#")[0], data={"q": "And in pregnancy?"})
    assert more.status_code == 303 and more.headers["location"].endswith("#a2")
    doc = page(client.get(location))
    assert len(doc.xpath("//*[@id='thread']/article")) == 3


def test_follow_up_fragment_names_the_thread(client: httpx.Client) -> None:
    response = client.post(
        "/threads",
        data={"q": FOLLOW_UP, "history": [MS_QUESTION]},
        headers={"X-Medcite-Fragment": "1"},
    )
    doc = page(response)
    thread_url = response.headers["x-medcite-thread"]
    assert thread_url.startswith("/threads/")
    assert [a.get("id") for a in doc.xpath("//article")] == ["a1"]
    assert text_of(doc.xpath("//h1")[0]) == FOLLOW_UP
    assert client.get(f"/api/v1{thread_url}").json()["turns"][0]["question"] == MS_QUESTION


def test_unknown_thread_page_is_a_404_page(client: httpx.Client) -> None:
    response = client.get("/threads/nope", headers={"Accept": "text/html"})
    assert response.status_code == 404 and "no thread" in response.text
    assert_error(client.post("/threads/nope", data={"q": FOLLOW_UP}), 404, "not_found")


def test_the_audience_is_remembered_per_browser(client: httpx.Client) -> None:
    chosen = client.get("/ask", params={"q": MS_QUESTION, "audience": "patient"})
    assert chosen.status_code == 200
    assert client.cookies.get(COOKIE) == "patient"
    assert "httponly" in chosen.headers["set-cookie"].lower()
    later = page(client.get("/ask", params={"q": "How is gout treated?"}))
    assert later.xpath(CHECKED % "patient")[0].get("checked") is not None
    notes = text_of(later.xpath("//aside[@class='audience-notes']")[0])
    assert notes.count("Talk to your care team") == 1  # the title is not repeated
    home = page(client.get("/"))
    assert home.xpath("//select[@id='audience']/option[@selected]")[0].get("value") == "patient"
    assert client.get("/ask.json", params={"q": MS_QUESTION}).json()["audience"] == "patient"
    # The API ignores the cookie: clients say what they want.
    api = client.post("/api/v1/answers", json={"question": MS_QUESTION})
    assert api.json()["audience"] == "clinician"
    client.get("/ask", params={"q": MS_QUESTION, "audience": "nurse"})
    assert client.cookies.get(COOKIE) == "nurse"


def test_an_unknown_remembered_audience_falls_back_to_clinician(server: str) -> None:
    with httpx.Client(base_url=server, cookies={COOKIE: "robot"}, timeout=30) as client:
        doc = page(client.get("/ask", params={"q": MS_QUESTION}))
    checked = doc.xpath(CHECKED % "clinician")[0]
    assert checked.get("checked") is not None
    assert not doc.xpath("//aside[@class='audience-notes']")
