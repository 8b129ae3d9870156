"""Rendering: what a teacher would check on the pages, and bank text that must stay inert."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from workbook import figures, mathtex, pdf, render
from workbook.build import build

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = ('<script>alert(1)</script> <img src=file:///etc/passwd> {{ 7*7 }} {% include "x" %} url(http://example.com/x)'
           ' <link rel=attachment href=file:///etc/passwd> <style>@import "http://example.com/a.css";</style>'
           ' <svg><image href="file:///etc/passwd"/></svg>')


def make_doc(paper="A4", hostile=False):
    prompt = [{"text": "Find "}, {"math": "f'(x)"}, {"text": " for "}, {"math": "f(x) = x^{2} - 1"}, {"text": "."}]
    if hostile:
        prompt = [{"text": HOSTILE}] + prompt
    problem = {
        "number": 1, "family": "tangent-line", "title": "Tangent", "difficulty": 2, "seed": 5, "prompt": prompt,
        "answer": [{"math": "f'(x) = 2 x"}],
        "steps": [{"depth": 0, "rule": "Power rule", "say": [{"text": "Bring the exponent down."}],
                   "math": r"\frac{d}{dx}\left[x^{2}\right] = 2 x"}],
        "figure": {"kind": "tangent", "alt": "Graph of x^2 - 1 and its tangent at (1, 0).",
                   "x": [i / 10 for i in range(-20, 41)], "y": [(i / 10) ** 2 - 1 for i in range(-20, 41)],
                   "x0": 1.0, "y0": 0.0, "slope": 2.0, "label": "f(x) = x^{2} - 1", "tangent_label": "y = 2x - 2"},
    }
    return {"edition": {"title": "Render Test", "subtitle": "", "slug": "render-test", "seed": 99, "version": "B",
                        "paper": paper, "workbook_version": "0"},
            "sections": [{"title": "One", "intro": [{"text": "Intro"}], "problems": [problem]}]}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("render")
    files = render.write_documents(make_doc(paper="Letter", hostile=True), out)
    return out, files


def pdf_info(path):
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def pdf_text(path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_six_files(written):
    out, files = written
    assert sorted(files) == sorted(f"{w}.{e}" for w in ("worksheet", "answers", "solutions") for e in ("html", "pdf"))
    assert not (out / "assets").exists()  # private to the PDF run


def test_letter_paper_and_a4(written, tmp_path):
    _, files = written
    assert "612 x 792 pts (letter)" in pdf_info(files["worksheet.pdf"])
    a4 = render.write_documents(make_doc(paper="A4"), tmp_path, formats=("pdf",))
    assert "(A4)" in pdf_info(a4["worksheet.pdf"])


def test_every_page_has_title_seed_and_page_number(written):
    _, files = written
    text = pdf_text(files["solutions.pdf"])
    pages = text.split("\f")
    for page in [p for p in pages if p.strip()]:
        assert "Render Test" in page and "Seed 99" in page and "Version B" in page
        assert re.search(r"Page \d+ of \d+", page)


def test_worksheet_has_no_answers_and_the_key_does(written):
    _, files = written
    worksheet, key = files["worksheet.html"].read_text(), files["answers.html"].read_text()
    assert "f&#x02032;" in worksheet or "f'" in worksheet  # the question mentions f'
    assert "2 x" not in worksheet and "Power rule" not in worksheet
    assert "f'(x) = 2 x" in key  # the LaTeX annotation of the answer
    assert "Power rule" in files["solutions.html"].read_text()
    assert "space for your work" in worksheet


def test_bank_text_is_escaped_and_never_a_template(written):
    _, files = written
    for name in ("worksheet.html", "solutions.html"):
        html = files[name].read_text()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
        assert "<img src=file:///etc/passwd>" not in html
        assert "{{ 7*7 }}" in html and ">49<" not in html
        assert "{% include" in html
        for tag in ("<link rel=attachment", "<style>@import", "<svg><image"):
            assert tag not in html
    assert b"/EmbeddedFile" not in files["worksheet.pdf"].read_bytes()


def test_fetcher_serves_only_the_assets(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "ok.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("secret")
    fetch = pdf.confined_fetcher(assets)
    assert fetch(f"file://{assets / 'ok.svg'}").read().startswith(b"<svg")
    for url in (f"file://{tmp_path / 'secret.txt'}", "file:///etc/passwd", f"file://{assets}/../secret.txt",
                "http://example.com/x.png", "https://example.com/x.css", "ftp://example.com/x"):
        with pytest.raises(pdf.RenderError):
            fetch(url)


def test_fetcher_serves_only_the_named_assets_held_in_memory(tmp_path):
    (tmp_path / "secret.txt").write_text("secret")
    fetch = pdf.confined_fetcher({"m-1.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>"}, virtual=True)
    response = fetch(pdf.VIRTUAL_BASE + "assets/m-1.svg")
    assert response.read().startswith(b"<svg") and response.headers["Content-Type"] == "image/svg+xml"
    for url in (pdf.VIRTUAL_BASE + "assets/m-2.svg", pdf.VIRTUAL_BASE + "assets/../secret.txt",
                pdf.VIRTUAL_BASE + "m-1.svg", f"file://{tmp_path / 'secret.txt'}", "file:///etc/passwd",
                "http://example.com/m-1.svg"):
        with pytest.raises(pdf.RenderError):
            fetch(url)


def test_a_pdf_build_writes_no_image_files(tmp_path, monkeypatch):
    """The PDF's math and figures reach WeasyPrint from memory: no file is written for them, nor removed."""
    written = []
    real = Path.write_bytes
    monkeypatch.setattr(Path, "write_bytes", lambda self, data: written.append(self.name) or real(self, data))
    files = render.write_documents(make_doc(), tmp_path / "out", formats=("pdf",), documents=("worksheet",))
    assert files["worksheet.pdf"].read_bytes().startswith(b"%PDF")
    assert not [name for name in written if name.endswith((".svg", ".png"))], written
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["worksheet.pdf"]


def test_a_figure_drawn_for_both_media_at_once_is_the_one_each_draws_alone():
    """A job that writes HTML and PDF draws a figure's SVG and PNG from one figure (figure_both); the
    bytes are those a build writing one medium draws, so a sheet does not depend on how work was split."""
    spec = make_doc()["sections"][0]["problems"][0]["figure"]
    svg, png = figures.figure_both(spec)
    assert svg == figures.figure_svg(spec) and png == figures.figure_png(spec)


def test_html_math_is_mathml_with_annotation_and_figure_has_alt(written):
    _, files = written
    html = files["solutions.html"].read_text()
    assert "<math" in html and '<annotation encoding="application/x-tex">' in html
    assert 'alt="Graph of x^2 - 1 and its tangent at (1, 0)."' in html
    assert "data:image/svg+xml;base64," in html
    assert "<details" in html and "<link" not in html
    assert not re.search(r"""<[a-z]+[^<>]*\s(src|href)=["']?(https?:|file:|//)""", html)


def test_a_caption_prints_minus_signs_and_keeps_a_point_on_one_line(tmp_path):
    doc = make_doc()
    doc["sections"][0]["problems"][0]["figure"]["alt"] = ("The point (2, -1) on the 2-2-1 network's x-axis; "
                                                          "dy/du2 = 2*u1**2.")
    files = render.write_documents(doc, tmp_path, formats=("html",), documents=("solutions",))
    html = files["solutions.html"].read_text()
    assert ("<figcaption>The point (2,\u00a0\u22121) on the 2-2-1 network&#39;s x-axis; "
            "dy/\u2060du2 = 2\u00b7<i>u1</i>^2.</figcaption>") in html
    assert 'alt="The point (2, -1) on' in html  # what a screen reader reads is the text as written


@pytest.mark.parametrize("alt, printed", [
    ("Graph of f near x = 2, a point on it.", "Graph of <i>f</i> near <i>x</i> = 2, a point on it."),
    ("Contour plot of the narrow valley 0.1w₁² + 4w₂².", "Contour plot of the narrow valley 0.1<i>w₁</i>² + 4<i>w₂</i>²."),
    ("u = mul(w, x); a = tanh(v); L = square(a).",
     "<i>u</i> = mul(<i>w</i>, <i>x</i>); <i>a</i> = tanh(<i>v</i>); <i>L</i> = square(<i>a</i>)."),
    ("I see a <script> A on the x-axis; η = 0.1.", "I see a &lt;script&gt; A on the x-axis; <i>η</i> = 0.1."),
])
def test_a_captions_variables_are_italic_as_the_math_sets_them(alt, printed):
    # "near x = 2", "Contour lines of f": the page's formulas set x and f in italic, its captions upright
    # (a teacher's read, m2); the article a, the pronoun I, a word's letters and markup stay as they are
    assert str(render.caption(alt)) == printed


def test_rendering_is_byte_identical(tmp_path):
    a = render.write_documents(make_doc(), tmp_path / "a")
    b = render.write_documents(make_doc(), tmp_path / "b")
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes(), name
    spec = make_doc()["sections"][0]["problems"][0]["figure"]
    assert figures.tangent_figure(spec) == figures.tangent_figure(spec)
    assert mathtex.to_svg("x^{2}").svg == mathtex.to_svg("x^{2}").svg


def test_unknown_latex_is_refused_not_printed_wrong():
    with pytest.raises(mathtex.MathError, match=r"\\foo"):
        mathtex.to_svg(r"\foo{x} + 1")
    with pytest.raises(mathtex.MathError):
        mathtex.to_mathml(r"\notacommand")


def test_unknown_figure_kind():
    with pytest.raises(figures.FigureError):
        figures.figure_svg({"kind": "pie"})


def test_user_template_folder_overrides_one_file(tmp_path):
    custom = tmp_path / "templates"
    custom.mkdir()
    (custom / "answers.html").write_text('{% extends "base.html" %}{% block content %}<p>Custom key</p>{% endblock %}')
    files = render.write_documents(make_doc(), tmp_path / "out", template_dir=custom, formats=("html",))
    assert "Custom key" in files["answers.html"].read_text()
    assert "Custom key" not in files["worksheet.html"].read_text()


def test_no_rule_meant_for_an_element_catches_the_whole_page():
    # the body carries the document's name as its class (body.answers): a bare `.answers { margin: 0 }`
    # once pulled the whole answer key to the left edge of the screen
    import re

    from workbook.resources import templates_dir

    css = (templates_dir() / "print.css").read_text(encoding="utf-8")
    selectors = {s.strip() for block in re.findall(r"([^{}]+)\{", css) for s in block.split(",")}
    for name in render.DOCUMENTS:
        assert f".{name}" not in selectors, f"a bare .{name} rule also styles <body class=\"{name}\">"


def test_contents_names_a_lone_problem_as_one(tmp_path):
    doc = make_doc()
    first = doc["sections"][0]
    second = {**first, "title": "Two", "problems": [{**first["problems"][0], "number": 2},
                                                   {**first["problems"][0], "number": 3}]}
    doc["sections"].append(second)
    files = render.write_documents(doc, tmp_path, formats=("html",), documents=("worksheet",))
    html = files["worksheet.html"].read_text()
    assert '<span class="range">problem 1</span>' in html and "problems 1–1" not in html
    assert '<span class="range">problems 2–3</span>' in html


def test_the_key_prints_every_table_a_learner_fills_and_the_marks(tmp_path):
    # a fill-in table's key gave only the last value: every cell is printed now, to mark each one
    import html as html_module

    from tests.editions import every_family_doc

    doc = every_family_doc(tmp_path, 5)
    key = (tmp_path / "build-5" / "every-family" / "answers.html").read_text(encoding="utf-8")
    items = {m[1]: m[2] for m in re.finditer(r'<li class="answer[^"]*" value="(\d+)".*?>(.*?)</li>', key, re.DOTALL)}
    filled = 0
    for problem in (p for s in doc["sections"] for p in s["problems"]):
        blank = [part["table"] for part in problem["prompt"] if "table" in part and part["table"].get("blank")]
        if not blank:
            assert "key-table" not in items[str(problem["number"])]
            continue
        worked = next(part["table"] for step in problem["steps"] for part in step["say"]
                      if "table" in part and part["table"]["head"] == blank[0]["head"])
        text = html_module.unescape(re.sub(r"<annotation.*?</annotation>", "", items[str(problem["number"])], flags=re.DOTALL))
        for row in worked["rows"]:
            for cell in row:
                plain = re.sub(r"[\\{}]|\s", "", str(cell)).replace("-", "−")
                if not re.fullmatch(r"[−\d.]+", plain):
                    continue  # a row's name (w^{(1)}_{11}), which MathML writes sub before sup: the numbers are marked
                assert plain in re.sub(r"<[^>]+>|\s", "", text).replace("-", "−"), (problem["family"], cell)
        filled += 1
    assert filled >= 4
    # each answer's marks, two a star and one for each 20 results past 40 a long solution writes (the XOR capstone
    # was worth one optimizer table's 6: read22 to read25), and the total and each section's sum said in words
    problems = [p for s in doc["sections"] for p in s["problems"]]

    def marks(p):
        written = sum(len(re.findall(r"(?<![<>\\!])=|\\approx|\\leq|\\geq", step.get("math") or ""))
                      + sum(len(row) - 1 for part in step["say"] if "table" in part for row in part["table"]["rows"])
                      for step in p["steps"])
        return 2 * p["difficulty"] + max(0, written - 40) // 20

    for problem in problems:
        assert f'<span class="points" title="points">[{marks(problem)}]</span>' in items[str(problem["number"])]
    assert any(marks(p) > 2 * p["difficulty"] for p in problems if p["family"] == "xor-capstone")
    assert f"{sum(marks(p) for p in problems)} points in all" in key
    for section in doc["sections"]:
        assert f"· {sum(marks(p) for p in section['problems'])} points</span></h2>" in key


class _Prose(HTMLParser):
    """The text a reader sees outside the math (MathML, the PDF's math images' alt text aside)."""

    def __init__(self):
        super().__init__()
        self.depth, self.text = 0, []

    def handle_starttag(self, tag, attrs):
        self.depth += tag in ("math", "script", "style")

    def handle_endtag(self, tag):
        self.depth -= tag in ("math", "script", "style")

    def handle_data(self, data):
        if not self.depth:
            self.text.append(data)


def test_prose_writes_a_derivative_with_primes_not_apostrophes(tmp_path):
    # "the rate is below 2/f''" and the primer's "curvature is f''" printed a typewriter quote where the math
    # beside them prints f″; a word's own apostrophe stays (torch.optim's, students', 'x')
    from workbook.segments import primes

    assert primes("below 2/f'', with f'(x) and g' then f'''") == "below 2/f\u2033, with f\u2032(x) and g\u2032 then f\u2034"
    assert primes("torch.optim's rule, the students' sheets, the 'x' axis") == (
        "torch.optim's rule, the students' sheets, the 'x' axis")
    from tests.editions import every_family_doc

    every_family_doc(tmp_path, 5)
    build(ROOT / "editions" / "visual-workbook.toml", out_root=tmp_path / "default", formats=("html",))
    pages = sorted(tmp_path.glob("**/*.html"))
    assert len(pages) >= 6
    for page in pages:
        reader = _Prose()
        reader.feed(page.read_text(encoding="utf-8"))
        prose = html.unescape("".join(reader.text))
        assert not re.findall(r"(?<![A-Za-z'])[A-Za-z]'+(?![A-Za-z])", prose), page.name


def test_a_paragraph_never_ends_with_a_short_word_alone_on_its_line():
    """The last two words of a paragraph are bound by a no-break space when the last is short: "every step
    uses / it." had left "it." alone on a line. A paragraph ending in math or a long word is left as it is."""
    from workbook import segments

    said = segments.page([{"text": "Differentiate once; every step uses it."}], str)
    assert said.endswith("uses\u00a0it.")
    assert segments.page([{"text": "Find "}, {"math": "x"}, {"text": "."}], str) == "Find x."
    assert segments.bind_last_word("holds a word longer than ten.") == "holds a word longer than\u00a0ten."
    assert segments.bind_last_word("is differentiable.") == "is differentiable."
    assert segments.paragraph("so f' falls to it.") == "so f\u2032 falls to\u00a0it."
    doc = make_doc()
    doc["sections"][0]["problems"][0]["steps"][0]["say"] = [{"text": "Differentiate once; every step uses it."}]
    html = render.render_html(doc, "solutions", "html", render.Assets("html", None, mathtex.SVGCache(None), {}))
    assert "every step uses\u00a0it." in html


def test_a_worksheet_gives_a_line_to_each_part_of_an_answer():
    """A problem whose answer has parts (the key separates them with semicolons: a network's outputs; its loss;
    its gradients; its weights after the step) has an answer line for each; a one-part answer
    has one, and never more than MOST_ANSWER_LINES. The capstone asked for four things on one line."""
    assets = render.Assets("html", None, mathtex.SVGCache(None), {})
    for parts, lines in ((1, 1), (2, 2), (4, 4), (6, render.MOST_ANSWER_LINES)):
        doc = make_doc()
        answer = [{"text": "outputs "}, {"math": "0.5"}]
        for k in range(parts - 1):
            answer += [{"text": f"; part {k} "}, {"math": "1"}]
        doc["sections"][0]["problems"][0]["answer"] = answer + [{"text": ";"}]  # one that ends it is no part
        html = render.render_html(doc, "worksheet", "html", assets)
        assert html.count('class="answer-line') == lines, (parts, html.count('class="answer-line'))
        assert html.count(">Answer</span>") == 1


def test_the_built_in_templates_run_in_the_sandbox_make_the_same_pages(tmp_path):
    """Every limit the sandbox keeps on a stranger's templates leaves ours alone: a folder holding a copy of
    every built-in template makes the default edition's HTML byte for byte (a figure's spec measured as 24
    characters a number refused the built-in contour plots, as the attack-21 fixes went in)."""
    from workbook.resources import templates_dir

    copy = tmp_path / "ours"
    shutil.copytree(templates_dir(), copy)
    ours = build(None, out_root=tmp_path / "ours-out", formats=("html",))
    theirs = build(None, out_root=tmp_path / "theirs-out", templates=copy, formats=("html",))
    for name in ("worksheet.html", "answers.html", "solutions.html"):
        # (but for the printed command, which names the template folder: attack40)
        page = (theirs.out_dir / name).read_bytes()
        assert b" --templates " in page, name
        assert re.sub(rb" --templates [^<\s]+", b"", page) == (ours.out_dir / name).read_bytes(), name


def test_the_answer_lines_hold_the_answer_the_key_gives():
    """Every family over several seeds: a line for each part of the answer, as many for a matrix as its rows,
    and no more than five decimals a line, up to MOST_ANSWER_LINES (a 2 x 3 matrix had
    one: read20, read22). Counted from the key's own text, not from how render counts them."""
    from workbook.bank import load_bank
    from workbook.generate import REDRAW, generate_one
    from workbook.segments import plain

    for family in load_bank().values():
        for seed in range(4):
            try:
                record = generate_one(family, seed)
            except REDRAW:
                continue
            lines, text = render.answer_lines(record), plain(record["answer"])
            rows = [body.count("\\\\") + 1 for seg in record["answer"]
                    for body in re.findall(r"begin\{pmatrix\}(.*?)end\{pmatrix\}", seg.get("math", ""))]
            numbers = len(re.findall(r"\d+\.\d+", text))  # decimals: what takes room written by hand
            parts = 1 + sum(seg.get("text", "").count(";") for seg in record["answer"])  # the key's parts
            table = next((seg["table"] for seg in record["prompt"] if seg.get("table", {}).get("blank")), {})
            if table.get("holds"):  # parts written in the table to fill in: what its head asks for
                keyed = [[]]  # the key's parts: its prose parts them with a semicolon (a matrix's rows hold one too)
                for seg in record["answer"]:
                    pieces = seg["text"].split(";") if "text" in seg else [None]
                    keyed[-1] += [{"text": pieces[0]}] if pieces[0] is not None else [seg]
                    keyed += [[{"text": piece}] for piece in pieces[1:]]
                held = [plain(part) for part in keyed[-table["holds"]:]]
                if "after the step" in table["head"][-1]:  # a network: each gradient, each weight after the step
                    assert [("gradient" in part, "after the step" in part) for part in held] == [(True, False), (False, True)]
                    assert "partial L" in table["head"][-2], table["head"]
                else:  # a computational graph: every node's value and its gradient (read24)
                    assert [("forward" in part, "gradient" in part) for part in held] == [(True, False), (False, True)]
                    assert "value" in table["head"][-2] and "partial" in table["head"][-1], table["head"]
                parts -= table["holds"]
                rows, numbers = [], len(re.findall(r"\d+\.\d+", " ".join(plain(part) for part in keyed[:parts])))
            want = max(parts, max(rows, default=1), -(-numbers // 5))
            assert lines >= min(want, render.MOST_ANSWER_LINES), (family.id, seed, lines, text[:120])


def test_weasyprint_loaded_by_many_threads_at_once_leaves_stdout_as_it_was():
    # a local Dask cluster's workers are threads, each loading WeasyPrint on its first task: two swapping stdout
    # for the quiet first try left it a StringIO, and an HTML build's report went nowhere (attack22's D1)
    code = ("import sys, threading\nfrom workbook import pdf\nreal = sys.stdout\n"
            "threads = [threading.Thread(target=pdf.load_weasyprint) for _ in range(8)]\n"
            "[t.start() for t in threads]\n[t.join() for t in threads]\n"
            "print('same' if sys.stdout is real else 'swapped')\n")
    for _ in range(3):
        run = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
        assert run.stdout.strip() == "same", (run.stdout, run.stderr[-500:])


def test_the_cover_prints_every_rule_the_solutions_quote_from_a_table_and_each_is_right(tmp_path):
    # "Logarithm rule. From the table of derivatives, d/dx[ln x] = 1/x" quoted a table the book never printed
    # (read23): the cover prints one, and every rule a worked step quotes from it is there
    import sympy as sp

    from workbook import functions, quoted

    u = sp.Symbol("u")
    by_rule = {e.rule: e for e in functions.TABLE if e.rule}
    derived_rows = []
    for seed in (2026, 7, 5150):
        result = build(None, out_root=tmp_path / str(seed), formats=("html",), seed=seed)
        doc, = result.docs.values()
        steps = [step for s in doc["sections"] for p in [*s["problems"], s.get("example") or {}]
                 for step in p.get("steps", ())]
        said = [" ".join(part.get("text", "") for part in step.get("say", ())) for step in steps]
        # quoted from the table, stated where used (e^x, sqrt), or named by a chain step ("the cosine rule
        # gives": read24): each is printed
        known = {rule for rule, e in by_rule.items() if e.names[0] not in quoted.DERIVED} | \
            {rule for rule, _, _ in quoted.stated(u)}
        asked = {step["rule"] for step in steps if step["rule"] in known} | \
            {rule for rule in known for text in said if f"the {rule.lower()} gives" in text}
        assert {"Logarithm rule", "Exponential rule"} <= asked, asked
        for which in ("worksheet", "solutions"):
            page = (result.out_dir / f"{which}.html").read_text(encoding="utf-8")
            table = re.search(r'<table class="quoted">(.*?)</table>', page, re.DOTALL)
            assert table, which
            printed = {name.replace("\u00a0", " ") for name in re.findall(r'<th scope="row">([^<]+)</th>', table[1])}
            assert asked and asked <= printed, (asked - printed)
            # a rule a problem of the sheet derives: its left side and a line on the worksheet, never its right side
            # (read46 F1: "(problem 18 derives it)" beside the answer of problem 18); the formula in the solutions
            # unless a worked example or a problem before it uses the rule (read48 F1: problem 6 needed it)
            blank = quoted.left_blank(doc["sections"])
            for row in re.findall(r"<tr>(.*?)</tr>", table[1], re.DOTALL):
                names = [n.replace("\u00a0", " ") for n in re.findall(r'<th scope="row">([^<]+)</th>', row)]
                for name, cell in zip(names, re.findall(r"<td>(.*?)</td>", row, re.DOTALL), strict=True):
                    if "derives it" in cell:
                        derived_rows.append(which)
                        assert ('class="fill"' in cell) == (which == "worksheet" and name in blank), (which, cell[:300])
                        assert (cell.count("<mo>=</mo>") or cell.count("=")) >= 1
        stated = {rule: (f, d) for rule, f, d in quoted.stated(u)}
        for rule, formula in quoted.rows(doc["sections"]):  # each formula a true derivative: SymPy's own diff
            if rule in stated:
                f, d = stated[rule]
                assert all(abs(float((sp.diff(f, u) - d).subs(u, at))) < 1e-12 for at in (0.3, 2.2)), rule
                continue
            entry = by_rule[rule]
            own = {"sigmoid": functions.sigmoid(u) * (1 - functions.sigmoid(u))}.get(entry.names[0], entry.outer(u))
            for at in (-1.7, 0.3, 2.2):
                assert abs(float((sp.diff(entry.cls(u), u) - own).subs(u, at))) < 1e-12, (rule, formula)
    assert {"worksheet", "solutions"} <= set(derived_rows)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils) to read glyph boxes")
def test_no_formula_runs_past_the_page_edge_and_a_long_sum_breaks_between_its_terms(tmp_path):
    # a Hessian of exp(axy) sin(x² + by²) was cut at the page's edge in the key and the answer box, and a
    # 374-character f(x) in the question, build exit 0 (attack25): an answer is shrunk to the column, and a sum too
    # wide for a line is set a term at a time, so its line breaks between them
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "wide.toml").write_text(
        'id = "wide"\ntitle = "W"\ntopic = "t"\ndifficulty = 3\nkind = "hessian"\nask = "hessian"\n'
        'variables = ["x", "y"]\nexpression = "exp(a*x*y)*sin(x^2 + b*y^2)"\n[params]\na = { int = [2, 5] }\n'
        'b = { int = [2, 5] }\n', encoding="utf-8")
    terms = " + ".join(f"{k}*sin({k}*x + {k + 1})" for k in range(2, 16))
    (bank / "long.toml").write_text(
        f'id = "long"\ntitle = "L"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\nexpression = "2*x + {terms}"\n',
        encoding="utf-8")
    edition = tmp_path / "ed.toml"
    edition.write_text('title = "Wide"\nseed = 1\n[[sections]]\ntitle = "S"\nfamilies = ["wide", "long"]\ncount = 2\n',
                       encoding="utf-8")
    result = build(edition, out_root=tmp_path / "out", bank_folders=[bank], formats=("pdf",))
    for name in ("worksheet", "answers", "solutions"):
        xml = subprocess.run(["pdftotext", "-bbox", str(result.out_dir / f"{name}.pdf"), "-"], capture_output=True,
                             text=True, check=True).stdout
        width = float(re.search(r'<page width="([\d.]+)"', xml)[1])
        right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', xml))
        assert right <= width - 30, (name, right, width)  # inside the margin, not only the paper
    assets = render.Assets("pdf", tmp_path / "out", mathtex.SVGCache(None), {})
    doc, = result.docs.values()
    html = render.render_html(doc, "worksheet", "pdf", assets)
    long, = [p for s in doc["sections"] for p in s["problems"] if p["family"] == "long"]
    question = html[html.index(f'id="problem-{long["number"]}"'):]
    assert question[:question.index("</article>")].count('<img class="math"') >= 10  # a term an image


def test_a_rule_the_cover_quotes_and_no_problem_derives_is_derived_at_the_end_of_the_solutions(tmp_path):
    # seed 555 quoted tanh' = 1 - tanh² (a worked example, a network) and derived it nowhere (read30)
    edition = tmp_path / "net.toml"
    edition.write_text('title = "Net"\nslug = "net"\nseed = 3\n[page]\nsolutions = true\n[[sections]]\ntitle = "N"\n'
                       'families = ["network-221"]\ncount = 1\n[[sections]]\ntitle = "P"\nfamilies = ["trig"]\n'
                       'count = 1\n', encoding="utf-8")  # (two sections: a cover, with its table)
    result = build(edition, out_root=tmp_path / "out", formats=("html",))
    solutions = (result.out_dir / "solutions.html").read_text(encoding="utf-8")
    worksheet = (result.out_dir / "worksheet.html").read_text(encoding="utf-8")
    assert "Where the table&#39;s rules come from" in solutions or "Where the table's rules come from" in solutions
    assert "(derived at the end of the solutions book)" in worksheet
    # and the solutions book says "this book" of itself (read42)
    assert "(derived at the end of this book)" in solutions and "the solutions book)" not in solutions
    assert "from the definition" in solutions.split("rules come from", 1)[1]


def test_a_formula_keeps_the_marks_after_it_on_its_line(written):
    # read38: Chromium set the ";" after "… = c n xⁿ⁻¹" alone at the start of the next line
    from workbook.render import glued

    page = glued('<p>so <math><mi>x</mi></math>; then <math><mn>2</mn></math>.</p><script>"</math>;"</script>')
    assert page == ('<p>so <span class="glued"><math><mi>x</mi></math>;</span> then '
                    '<span class="glued"><math><mn>2</mn></math>.</span></p><script>"</math>;"</script>')
    # one formula only, never from one to a later one (read39: a whole sentence glued, off the page's edge)
    assert glued("<p><math>a</math> and <math>b</math>; c</p>") == \
        '<p><math>a</math> and <span class="glued"><math>b</math>;</span> c</p>'
    html = (written[0] / "solutions.html").read_text(encoding="utf-8")
    outside = re.sub(r'<span class="glued"><math\b.*?</math>[;:,.!?)\]]+</span>', "", html, flags=re.DOTALL)
    assert "</math>" in outside and not re.search(r"</math>[;:,.!?)\]]", outside)


def test_a_table_cell_of_words_is_set_from_the_left(tmp_path):
    # read46 F12: the learning-rate table's "behaviour" column (converges steadily, ...) was right-aligned as numbers are
    edition = tmp_path / "lr.toml"
    edition.write_text('title = "T"\nseed = 3\n[[sections]]\ntitle = "S"\nfamilies = ["learning-rate"]\ncount = 1\n')
    result = build(edition, out_root=tmp_path / "out", formats=("html",))
    page = (result.out_dir / "solutions.html").read_text(encoding="utf-8")
    cells = re.findall(r'<td class="words">(.*?)</td>', page, re.DOTALL)
    assert any("converges" in c for c in cells) and any("diverges" in c for c in cells), cells[:3]
    assert "table.numbers td.words { text-align: left; }" in page


def test_prose_sets_its_dollar_math_as_math_and_a_price_as_text():
    from workbook.segments import prose

    assert prose("curvature $f''$, below $2/f''$.") == [{"text": "curvature "}, {"math": "f''"}, {"text": ", below "},
                                                          {"math": "2/f''"}, {"text": "."}]
    assert prose("costs $5 and $10") == [{"text": "costs $5 and $10"}]
    assert prose("costs $5 and $10, and $x^2$") == [{"text": "costs $5 and $10, and "}, {"math": "x^2"}]
    assert prose(r"a \$ sign, $ x$ and $x $") == [{"text": "a $ sign, $ x$ and $x $"}]
    assert prose("") == [{"text": ""}]
    # $$...$$, TeX's displayed math, is math too, on a line of its own: "$$y$$" printed its outer dollars (attack57
    # F3), and was set in the line (user56 F10)
    assert prose("Look: $$y$$ and $\\sigma(u)$.") == [{"text": "Look: "}, {"math": "y", "display": True},
                                                    {"text": " and "}, {"math": "\\sigma(u)"}, {"text": "."}]


def test_a_primer_and_an_intro_print_their_math_as_math_and_bad_math_is_one_line(tmp_path):
    # read48 F3, read49 F1: f'', p - y, h and θ in the module intros were set upright, as words
    from workbook.build import build
    from workbook.errors import InputError

    edition = tmp_path / "e.toml"
    head = 'title = "P"\n[[sections]]\ntitle = "A"\nfamilies = ["power-polynomial"]\ncount = 1\n'
    edition.write_text(head + 'primer = "a bowl of curvature $f\'\'$ costs $5"\nintro = "see $\\\\sigma(z)$"\n',
                       encoding="utf-8")
    result = build(edition, out_root=tmp_path / "out", formats=("html",))
    page = (result.out_dir / "worksheet.html").read_text("utf-8")
    primer = re.search(r'<div class="primer">(.*?)</div>', page, re.DOTALL)[1]
    assert "curvature <" in primer and "<annotation encoding=\"application/x-tex\">f''</annotation>" in primer
    assert "costs\xa0$5" in primer  # (its last two words bound)
    intro = re.search(r'<p class="intro">(.*?)</p>', page, re.DOTALL)[1]
    assert "\\sigma(z)</annotation>" in intro and "$" not in intro
    edition.write_text(head + 'primer = "the slope is $$f\'(x) = 2x$$ for each x"\n', encoding="utf-8")
    build(edition, out_root=tmp_path / "out", formats=("html", "pdf"))
    page = (result.out_dir / "worksheet.html").read_text("utf-8")
    assert re.search(r'<span class="display-math"><math[^>]*>.*?f\'\(x\) = 2x</annotation>', page, re.DOTALL), page[:3000]
    deep = "{" * 200 + "x" + "}" * 200  # attack54 F1: it stopped the build with a RecursionError, naming nothing
    edition.write_text(head + f'intro = "$ {deep} $ and ${deep}$"\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        build(edition, out_root=tmp_path / "out", formats=("html",))
    assert "sections[0].intro" in str(raised.value) and "braces deep" in str(raised.value), str(raised.value)
    edition.write_text(head + 'primer = "$\\\\href{x}{y}$ and $\\\\foo$"\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        build(edition, out_root=tmp_path / "out", formats=("html",))
    said = str(raised.value)
    assert "sections[0].primer" in said and "\\foo" in said, said
    # attack54 F10: a text holding a command was drawn garbled, and a colour that is a url written into the SVG
    for math, words in (("x + \\\\text{\\\\href{http://evil}{click}}", "text"),
                        ("\\\\color{url(file:///etc/passwd)}{x}", "neither a colour")):
        edition.write_text(head + f'primer = "see ${math}$ here"\n', encoding="utf-8")
        with pytest.raises(InputError) as raised:
            build(edition, out_root=tmp_path / "out", formats=("html",))
        assert "sections[0].primer" in str(raised.value) and words in str(raised.value), str(raised.value)


def test_an_accented_letter_in_a_figure_label_is_one_glyph():
    # read49 F2: mathtext set \hat{u}'s accent apart, and drawn in the PDF it stood beside the u
    from workbook.figures import _mathtext

    assert _mathtext(r"\hat{u}") == "$û$" and _mathtext(r"\hat y - y") == "$ŷ - y$"
    assert _mathtext(r"\hat{ab}") == r"$\hat{ab}$" and _mathtext(r"\barwedge") == r"$\barwedge$"


def test_a_book_without_a_cover_prints_the_table_its_solutions_quote(tmp_path):
    # read56 F7: the starter edition (cover = false) said "From the table of derivatives" of a table it never printed
    from tests.editions import every_family_doc
    from workbook.quoted import QUOTED

    every_family_doc(tmp_path, 7)
    folder = tmp_path / "build-7" / "every-family"
    solutions = (folder / "solutions.html").read_text(encoding="utf-8")
    assert QUOTED.strip() in solutions and "Derivatives to quote" in solutions
    assert "Derivatives to quote" not in (folder / "worksheet.html").read_text(encoding="utf-8")  # it quotes nothing
