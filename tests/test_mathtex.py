"""Math in the PDF: glyphs written as text in the math font must look exactly like ziamath's outlines,
and ziamath's speed-ups must draw exactly what ziamath draws unchanged."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from tests.editions import every_family_doc
from workbook import mathtex, pdf, render


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[tuple[str, bool]]:
    """Every expression a worksheet, key and solutions book show for one problem of every family."""
    doc = every_family_doc(tmp_path_factory.mktemp("corpus"), seed=11)
    math, _ = render.assets_used(doc, ("worksheet", "answers", "solutions"))
    assert len(math) > 300
    return sorted(math)


def test_speedups_draw_exactly_what_ziamath_draws(corpus):
    for latex, display in corpus:
        fast = ET.tostring(mathtex._ziamath(latex, display, text=False, fast=True), encoding="unicode")
        slow = ET.tostring(mathtex._ziamath(latex, display, text=False, fast=False), encoding="unicode")
        assert fast == slow, latex


def test_glyphs_with_a_character_are_text_and_the_rest_outlines():
    svg = mathtex.to_svg(r"f'(x) = \left(\frac{x^{2}}{3}\right)^{2}").svg
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(ns + "text")]
    assert "".join(texts).startswith("𝑓")  # mathematical italic f, a character of its own
    assert "=" in "".join(texts) and "3" in "".join(texts)
    assert root.get("font-family") == mathtex.MATH_FAMILY
    assert len(list(root.iter(ns + "path"))) == 1  # the prime, the script 2s, the tall brackets: one merged path
    assert " " not in "".join(texts)  # spaces draw nothing, and SVG would collapse them
    merged = [t for t in root.iter(ns + "text") if len(t.get("x").split()) > 1]
    assert all(len(t.get("x").split()) == len(t.text) for t in merged)


def rasterize(pdf, prefix):
    """The PDF's pages at 150 dpi, softened a little: text is hinted to the pixel grid, outlines are
    not, so their edges differ by a fraction of a pixel; a wrong or misplaced glyph differs by far more."""
    from PIL import Image, ImageFilter

    subprocess.run(["pdftoppm", "-r", "150", "-gray", str(pdf), str(prefix)], check=True)
    return [np.asarray(Image.open(p).filter(ImageFilter.BoxBlur(2)), dtype=int)
            for p in sorted(prefix.parent.glob(prefix.name + "*.pgm"))]


def page_of(corpus, folder, text: bool):
    """One PDF of every expression in the corpus, as the documents embed them."""
    assets = folder / "assets"
    assets.mkdir(parents=True)
    rows = []
    for i, (latex, display) in enumerate(corpus):
        drawn = mathtex.to_svg(latex, display=display, text=text)
        (assets / f"m{i}.svg").write_text(drawn.svg, encoding="utf-8")
        rows.append(f'<p><img src="assets/m{i}.svg" style="{drawn.style()}"></p>')
    html = "<html><body style='font-size: 14pt'>" + "\n".join(rows) + "</body></html>"
    pdf.write_pdf(html, folder, folder / "math.pdf", "math", assets)
    return folder / "math.pdf"


def test_math_as_text_looks_the_same_as_the_outlines(corpus, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pytest.importorskip("PIL")
    outlines = rasterize(page_of(corpus, tmp_path / "outlines", text=False), tmp_path / "outlines" / "page")
    text = rasterize(page_of(corpus, tmp_path / "text", text=True), tmp_path / "text" / "page")
    assert len(outlines) == len(text) > 1
    for number, (a, b) in enumerate(zip(outlines, text), 1):
        ink = ((a < 128) | (b < 128)).sum()
        differ = (abs(a - b) > 64).sum()
        if number == len(text) and ink <= 1000:
            continue  # the last page may hold a single small expression: too little ink for a ratio
        assert ink > 1000
        # measured: at most 0.9% a page; a "2" drawn as "3" gives 7%, glyphs 0.7 pt to the right 14%, a missing font 85%
        assert differ / ink < 0.02, f"page {number}: {differ} of {ink} inked pixels differ"


@pytest.mark.parametrize("latex, searched", [
    (r"f(x) = \sin{\left(x \right)}", "𝑓(𝑥)=sin(𝑥)"),
    # a superscript's digits and a prime are the font's script-size forms, glyphs with no character: they were lost
    # from the text ("Find 𝑓 (𝑥) for 𝑓(𝑥) = 7𝑥 − 7𝑥 + 7𝑥", user56 F4) and are now written unseen over their outlines
    (r"f'(x) = 7x^{4} - 7x^{2} + 7x", "𝑓′(𝑥)=7𝑥4−7𝑥2+7𝑥"),
    (r"\sigma'(u) = \sigma(u)\left(1 - \sigma(u)\right)", "𝜎′(𝑢)=𝜎(𝑢)(1−𝜎(𝑢))"),
])
def test_pdf_math_is_text_in_the_embedded_math_font(tmp_path, latex, searched):
    if not shutil.which("pdftotext") or not shutil.which("pdffonts"):
        pytest.skip("poppler-utils is not installed")
    drawn = mathtex.to_svg(latex)
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "m.svg").write_text(drawn.svg, encoding="utf-8")
    html = f'<p>Find <img src="assets/m.svg" style="{drawn.style()}">.</p>'
    pdf.write_pdf(html, tmp_path, tmp_path / "m.pdf", "m")
    text = subprocess.run(["pdftotext", str(tmp_path / "m.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert searched in text.replace(" ", "").replace("\n", ""), text  # a reader can search the math
    fonts = subprocess.run(["pdffonts", str(tmp_path / "m.pdf")], capture_output=True, text=True, check=True).stdout
    assert mathtex.MATH_FAMILY in fonts


@pytest.mark.parametrize("latex, signs", [
    (r"\left( -1, 2 \right)", ["prefix"]),  # after an opening bracket: a sign
    (r"\left(- \frac{\sqrt{5}}{5},\ - \frac{2}{5}\right)", ["prefix", "prefix"]),  # after a comma and a space
    (r"x \approx -0.11", ["prefix"]),  # after a relation
    (r"\left| -3 \right| - 1", ["prefix", None]),  # after an opening bar a sign, after the closing one a minus
    (r"x - 3", [None]),
    (r"(x + 1)! - 2", [None, None]),
    (r"-x + 1", [None, None]),  # first in its row: a sign already, without being marked
])
def test_a_sign_after_an_operator_is_a_sign_not_a_subtraction(latex, signs):
    root = ET.fromstring(mathtex.to_mathml(latex))
    found = [mo.get("form") for mo in root.iter("{http://www.w3.org/1998/Math/MathML}mo")
             if mo.text in ("\u2212", "+")]
    assert found == signs


def test_marked_mathml_stays_mathml_after_weasyprint_resets_the_namespace_map():
    # WeasyPrint's PDF metadata registers the empty XML prefix on import, which dropped ours:
    # in a process that had written a PDF, every marked formula came out as <ns0:math>.
    import importlib

    import weasyprint.pdf.metadata
    importlib.reload(weasyprint.pdf.metadata)
    mathtex._mathml.cache_clear()
    mml = mathtex.to_mathml(r"\left( -1, 2 \right)")
    head = mml.partition(">")[0]
    assert head.startswith("<math ") and 'xmlns="http://www.w3.org/1998/Math/MathML"' in head
    assert "ns0" not in mml
    assert ET.fromstring(mml).find(".//{http://www.w3.org/1998/Math/MathML}mo[@form='prefix']") is not None


def test_a_marked_sign_sits_close_to_its_number_in_the_pdf():
    # ziamath spaced every minus that is not first in its row as a subtraction: ( − 1, 2)
    tight = mathtex.to_svg(r"\left( -1, 2 \right)").width
    spaced = mathtex.to_svg(r"\left( 0 - 1, 2 \right)").width - mathtex.to_svg("0").width
    assert tight < spaced - 0.2


@pytest.mark.parametrize("latex", ["f'(x) = 2x", "f''(x)", "(fg)' = f'g + fg'", "g^{\\prime}", "y'''", "x^{2} + f'"])
def test_a_prime_in_html_math_stands_beside_its_letter_not_raised_again(latex):
    # read40 F3: f' as <msup><mi>f</mi><mi>′</mi></msup> was a detached tick high above the f in Chromium; the prime
    # glyph is raised already, so it stands on the line beside its letter, and a true power stays a superscript
    root = ET.fromstring(mathtex.to_mathml(latex))
    tag = lambda e: e.tag.rsplit("}", 1)[-1]
    for sup in (e for e in root.iter() if tag(e) == "msup"):
        assert not set("".join(sup[1].itertext()).strip()) <= {"\u2032", "\u2033", "\u2034"}, latex
    primes = [e for e in root.iter() if tag(e) in ("mi", "mo") and (e.text or "").strip() in ("\u2032", "\u2033", "\u2034")]
    assert primes, latex
    if "^{2}" in latex:
        assert any(tag(e) == "msup" for e in root.iter())


@pytest.mark.parametrize("latex", [r"f(x) = \frac{x^{3}}{3} - 9x", r"e^{-x^{2}}", r"\frac{\frac{a}{b}}{c}",
                                   r"\left(\frac{f}{g}\right)^{\prime} = \frac{f^{\prime} g - f g^{\prime}}{g^{2}}",
                                   r"w^{(1)}_{11}", r"\sigma\left(x\right)^{e^{x^{2}}}"])
def test_no_glyph_of_math_is_drawn_under_seven_tenths_of_its_text(latex):
    # read42 F1: x³/3 in a prompt set its 3 at 0.7² of the text, under 6 pt, and was read as x³ - 9x; as MathML's
    # scriptminsize, no script of a script is smaller than a script (the sizes ziamath lays each glyph out at)
    import ziamath
    from ziamath.tex import tex2mml

    def nodes(node):
        yield node
        for child in getattr(node, "nodes", []):
            yield from nodes(child)

    drawn = ziamath.Math(ET.fromstring(tex2mml(latex, inline=True)), size=mathtex.BODY_PX)
    sizes = [n.glyphsize for n in nodes(drawn.node) if getattr(n, "glyphsize", 0)]
    assert min(sizes) >= mathtex.SMALLEST_SCRIPT * mathtex.BODY_PX - 1e-9, (latex, sorted(set(sizes)))


def test_a_matrix_has_room_inside_its_brackets_and_between_its_columns():
    # read48 F2: ziamath set W = (2 1 1 / 1 0 0) with the last column on the bracket, columns a third of an em apart
    import xml.etree.ElementTree as ET

    from ziamath.tex import tex2mml

    root = ET.fromstring(tex2mml(r"W = \begin{pmatrix}2 & 1 \\ 1 & 0\end{pmatrix}", inline=True))
    mathtex.pad_matrices(root)
    row = [e.tag.rsplit("}", 1)[-1] for e in root[0]]
    assert row == ["mi", "mo", "mo", "mspace", "mtable", "mspace", "mo"], row
    assert root[0][4].get("columnspacing") == mathtex.MATRIX_COLUMNS
    narrow = mathtex.to_svg(r"\begin{matrix}2 & 1\end{matrix}").width
    assert mathtex.to_svg(r"\begin{pmatrix}2 & 1\end{pmatrix}").width > narrow + 0.4  # two brackets and their room


def test_a_functions_name_after_a_factor_has_a_thin_space_before_it():
    # user51 F11: 3softplus(2x - 3) and x softplus(x) printed as one word, in the PDF and on the page
    import xml.etree.ElementTree as ET

    from ziamath.tex import tex2mml

    root = ET.fromstring(tex2mml(r"3\operatorname{softplus}(x) + \sin x", inline=True))
    assert mathtex.space_names(root)
    row = [(e.tag.rsplit("}", 1)[-1], e.text) for e in root[0]]
    assert row[:3] == [("mn", "3"), ("mspace", None), ("mo", "softplus")], row
    assert ("mspace", None) not in row[4:8], row  # none after a plus sign
    assert "mspace" in mathtex.to_mathml(r"x\operatorname{ReLU}(x)")


@pytest.mark.parametrize("latex, said", [(r"x + \text{\href{http://evil}{click}}", "holds a brace or a command"),
                                         (r"\mathrm{a} + \text{a {b} c}", "holds a brace or a command"),
                                         (r"\color{url(file:///etc/passwd)}{x}", "neither a colour")])
def test_math_a_converter_would_read_otherwise_than_written_is_refused(latex, said):
    # attack54 F10: \text{\href{...}{click}} was drawn garbled (the converters end the text at its first }), and a
    # colour that is a url was written into the SVG's fill
    from workbook import mathtex

    with pytest.raises(mathtex.MathError, match=said):
        mathtex.refuse_unknown_commands(latex)
    mathtex.refuse_unknown_commands(r"\text{leaf} + \color{red}{x} + \color{#a0b}{y}")
