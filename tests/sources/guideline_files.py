"""Small guideline files the tests generate: PDFs with reportlab, HTML by hand.

The text is test text about a made-up guideline, not clinical advice.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

TITLE = "Test Guideline on Progressive Multiple Sclerosis"
STYLES = {
    "title": ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=20, leading=24),
    "h1": ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=16, leading=20),
    "h2": ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=13, leading=16),
    "h3": ParagraphStyle("h3", fontName="Helvetica-Bold", fontSize=10, leading=13),
    "body": ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13),
}
RECOMMENDATION = (
    "Clinicians should offer ocrelizumab to ambulatory adults with primary progressive "
    "multiple sclerosis to slow disability progression (Level B)."
)
SECONDARY = (
    "For active secondary progressive multiple sclerosis, siponimod is recommended as a "
    "disease-modifying therapy (strong recommendation, moderate-certainty evidence)."
)
FILLER = (
    "The panel reviewed randomised trials and observational studies published up to the "
    "search date and rated the certainty of the evidence for each outcome that matters to "
    "people living with the condition. "
)


def guideline_story(
    recommendation: str = RECOMMENDATION,
) -> list[tuple[str, str]]:
    """(style, text) in reading order; "pagebreak" starts page 2."""
    return [
        ("title", TITLE),
        ("h1", "1 Introduction"),
        ("body", FILLER * 3),
        ("h1", "2 Recommendations"),
        ("h2", "2.1 Disease-modifying therapy"),
        ("h3", "2.1.1 Primary progressive MS"),
        ("body", recommendation),
        ("body", FILLER * 2),
        ("pagebreak", ""),
        ("h3", "2.1.2 Secondary progressive MS"),
        ("body", SECONDARY),
        ("h2", "2.2 Symptomatic management"),
        ("body", "Physical therapy and exercise improve walking in people with spasticity."),
    ]


def make_guideline_pdf(
    path: Path,
    *,
    story: list[tuple[str, str]] | None = None,
    encrypt: str | None = None,
    title: str | None = TITLE,
) -> Path:
    flowables = [
        PageBreak() if style == "pagebreak" else Paragraph(text, STYLES[style])
        for style, text in (story or guideline_story())
    ]
    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        title=title or "",
        author="Test Neurology Society",
        encrypt=StandardEncryption(encrypt, ownerPassword="owner") if encrypt else None,
    )
    document.build(flowables)
    return path


def make_image_only_pdf(path: Path) -> Path:
    """A 'scanned' PDF: each page one picture, no text layer."""
    from PIL import Image, ImageDraw

    picture = Image.new("L", (400, 200), 255)
    ImageDraw.Draw(picture).rectangle((20, 20, 380, 180), outline=0, width=4)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(2):
        pdf.drawImage(ImageReader(picture), 72, 500, width=400, height=200)
        pdf.showPage()
    pdf.save()
    return path


GUIDELINE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Gout guideline | Test Rheumatology Society</title>
<meta name="citation_publisher" content="Test Rheumatology Society">
<meta name="citation_publication_date" content="2020/06/01">
<link rel="canonical" href="https://guidelines.example.org/gout-2020">
<script>var tracking = "Grade 1A";</script></head>
<body>
<nav><a href="/">Home</a> <a href="/guidelines">All guidelines</a></nav>
<header>Site header with a search box</header>
<main>
<h1>Test Guideline for the Management of Gout</h1>
<p>This guideline covers adults with gout.</p>
<h2>Recommendations</h2>
<h3>Urate-lowering therapy</h3>
<p>Allopurinol is recommended as the first-line urate-lowering therapy for all patients,
including those with moderate-to-severe chronic kidney disease (Grade 1A).</p>
<ul><li>Start allopurinol at a low dose and titrate to a serum urate target.</li>
<li>Continue urate-lowering therapy <b>indefinitely</b> once started.</li></ul>
<h3>Flare management</h3>
<div>Colchicine, NSAIDs or glucocorticoids are appropriate first-line options for gout
flares (conditional recommendation, low-certainty evidence).</div>
<table><tr><th>Drug</th><th>Usual flare dose</th></tr>
<tr><td>Colchicine</td><td>1.2 mg then 0.6 mg one hour later</td></tr></table>
<h2>Research priorities</h2>
<p>Trials comparing treat-to-target strategies are needed.</p>
</main>
<footer>Copyright Test Rheumatology Society</footer>
</body></html>
"""
