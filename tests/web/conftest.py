"""Web fixtures: real uvicorn servers on random localhost ports over real data directories."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from medcite.config import Settings, WebSettings
from medcite.service import Engine
from medcite.web.app import create_app
from medcite.web.server import serve_in_thread

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Rate limits generous enough for a whole test session from one client.
ROOMY = WebSettings(answers_per_minute=100_000, answer_burst=10_000)

# A corpus written to attack the page: markup and a javascript: URL in every field.
HOSTILE_ROWS = [
    {
        "id": "x1",
        "title": 'Gout <img src=x onerror="window.__xss=1"> care',
        "text": (
            "Gout is treated with colchicine <script>window.__xss = 1; alert(1)</script> and "
            "allopurinol lowers urate. Gout flares are treated with colchicine or NSAIDs "
            '<b onmouseover="window.__xss=1">quickly</b>. Allopurinol is first-line urate '
            "lowering therapy for gout."
        ),
        "source": "<script>window.__xss=1</script>Journal",
        "year": 2020,
        "url": "javascript:window.__xss=1",
    },
    {
        "id": "x2",
        "title": "Gout treatment overview",
        "text": (
            "Gout is treated with anti-inflammatory drugs during flares. Urate lowering "
            "therapy with allopurinol prevents gout flares over time. Colchicine treats gout."
        ),
        "source": "Rheumatology Notes",
        "year": 2021,
        "url": "https://example.org/gout",
    },
]


@pytest.fixture(scope="session")
def web_settings(built_home: Path) -> Settings:
    return Settings(home=built_home, web=ROOMY)


@pytest.fixture(scope="session")
def server(web_settings: Settings) -> Iterator[str]:
    """Base URL of a real uvicorn serving the fixture corpus."""
    with serve_in_thread(create_app(web_settings)) as base_url:
        yield base_url


@pytest.fixture
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as http:
        yield http


@pytest.fixture(scope="session")
def hostile_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("hostile-home")
    corpus = home.parent / "hostile.jsonl"
    corpus.write_text("\n".join(json.dumps(row) for row in HOSTILE_ROWS) + "\n")
    with Engine(Settings(home=home)) as engine:
        assert engine.ingest([corpus]).total("documents") == len(HOSTILE_ROWS)
    return home


@pytest.fixture(scope="session")
def hostile_server(hostile_home: Path) -> Iterator[str]:
    with serve_in_thread(create_app(Settings(home=hostile_home, web=ROOMY))) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium through Playwright (`playwright install` cannot download here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
