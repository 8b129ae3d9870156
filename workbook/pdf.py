"""WeasyPrint, set up once a process: HTML to PDF with fixed dates, the math font loaded, and a URL
fetcher that serves only the build's own assets.

A document is laid out at a fixed virtual base URL (VIRTUAL_BASE), so neither a staging folder's
random name nor how the build split its work reaches the PDF's bytes; with SOURCE_DATE_EPOCH fixed,
the same HTML gives the same PDF, byte for byte.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

from workbook import mathtex
from workbook.resources import templates_dir

SOURCE_DATE_EPOCH = "1704067200"  # used when the caller has not set one: PDFs carry no build time


class RenderError(RuntimeError):
    """A document that could not be rendered."""


_LOADING = threading.Lock()


def load_weasyprint() -> None:
    """Import WeasyPrint, 0.2 s sooner on Linux.

    WeasyPrint tries up to six names for each of its seven libraries, the other systems' names first, and cffi
    looks up each name that does not load as it is with ``ctypes.util.find_library``, which on Linux runs
    ``ldconfig`` and then ``gcc`` and ``ld``: about twenty programs run, 0.2 s of a build's start, before the
    name that loads (the library's own, ``libpango-1.0.so.0``). While WeasyPrint loads here, a name that does
    not load as it is is not looked up. Where that leaves a library unloaded (a system whose libraries only
    the lookup finds), or HarfBuzz's subsetter missing where the lookup finds it (without it WeasyPrint lays
    PDFs out five times slower), it is imported again as WeasyPrint does it; the banner WeasyPrint prints
    when a library is missing is held back on the quick try.

    One thread at a time: the quick try swaps the process's stdout and ctypes' lookup, and two threads (a local
    Dask cluster's workers, each on its first task) restoring each other's left stdout a StringIO, and the
    build's report unwritten (attack22).
    """
    import sys

    if "weasyprint" in sys.modules:
        return
    with _LOADING:
        if "weasyprint" not in sys.modules:
            _load_weasyprint()


def _load_weasyprint() -> None:
    import sys

    if sys.platform.startswith("linux"):
        import ctypes.util
        import io
        from contextlib import redirect_stdout

        lookup = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None
        try:
            with redirect_stdout(io.StringIO()):
                from weasyprint.text import ffi
        except OSError:
            ffi = None
        finally:
            ctypes.util.find_library = lookup
        if ffi is not None and (ffi.harfbuzz_subset is not None or lookup("harfbuzz-subset") is None):
            import weasyprint  # its libraries are loaded: the rest imports as usual
            return
        for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
            del sys.modules[name]
    import weasyprint  # noqa: F401


_SETUPS: dict[int, tuple] = {}  # process id -> (font configuration, {print.css: parsed}, math font rule)


def weasyprint_setup(css: str) -> tuple:
    """WeasyPrint's fonts for this process, the math font loaded, and print.css parsed: set up once a
    process, not once a document (the math font alone costs about 20 ms to load).

    Kept per process id: a worker forked from a process that had set these up makes its own, since
    WeasyPrint keeps the font's file in a folder of the process that loaded it.
    """
    load_weasyprint()
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from workbook.workers import scratch_dir

    pid = os.getpid()
    if pid not in _SETUPS:
        class Fonts(FontConfiguration):
            def __del__(self):  # a forked copy must not remove the files of the process that owns them
                if os.getpid() != pid:
                    return
                try:
                    super().__del__()
                except TypeError:
                    pass  # at interpreter exit WeasyPrint's globals are gone; the scratch folder goes anyway

        fonts = Fonts()
        fonts._folder = scratch_dir() / "fonts"  # WeasyPrint's copies of @font-face files; see scratch_dir
        fonts._folder.mkdir()
        rule = (f'@font-face {{ font-family: "{mathtex.MATH_FAMILY}"; '
                f'src: url("{mathtex.font_file().as_uri()}") }}')
        _SETUPS[pid] = (fonts, {}, CSS(string=rule, font_config=fonts))
    fonts, parsed, math_font = _SETUPS[pid]
    if css not in parsed:
        # 16 ms each time; a stylesheet from a user's template folder may fetch nothing (@import, url())
        parsed[css] = CSS(string=css, font_config=fonts, url_fetcher=confined_fetcher(None))
    return fonts, [math_font, parsed[css]]


VIRTUAL_BASE = "file:///workbook-build/"  # the base URL documents are laid out at, the same in every build


REFUSED: list[str] = []  # the URLs refused while laying out the current document


class FetchRefused(RenderError):
    """A page (from a user's template) asked for something outside the build's own files."""

    plain = True  # said as it stands, for the template's author: not "FetchRefused: ..."


def _not_fetched(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("Failed to load")


_NOT_FETCHED = _not_fetched


def confined_fetcher(root: Path | Mapping[str, bytes] | None, virtual: bool = False):
    """A WeasyPrint URL fetcher that serves only files inside ``root`` and ``data:`` URLs (with no
    root, ``data:`` URLs alone).

    With ``virtual``, URLs under VIRTUAL_BASE + "assets/" stand for the files in ``root``: WeasyPrint
    names each image after its URL, and neither a staging folder's random name nor how the build
    split its work may reach the PDF's bytes. A mapping of names to bytes stands for such a folder
    held in memory (the build's own images: nothing is written to disk to be read back and removed),
    and only the names it holds are served.
    """
    from urllib.parse import unquote, urlparse

    load_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = root.resolve() if isinstance(root, Path) else root

    class ConfinedFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if root is None or not url.startswith("file://"):
                REFUSED.append(url)
                raise RenderError(f"refused to fetch {url!r}: only the build's own assets are used")
            if isinstance(root, Mapping):
                name = unquote(url[len(VIRTUAL_BASE + "assets/"):]) if url.startswith(VIRTUAL_BASE + "assets/") else None
                if name not in root:
                    REFUSED.append(url)
                    raise RenderError(f"refused to fetch {url!r}: not one of the build's assets")
                return URLFetcherResponse(url, body=root[name], headers={"Content-Type": _TYPES.get(Path(name).suffix,
                                                                                                     _OTHER)})
            if virtual and url.startswith(VIRTUAL_BASE + "assets/"):
                path = (root / unquote(url[len(VIRTUAL_BASE + "assets/"):])).resolve()
            else:
                path = Path(unquote(urlparse(url).path)).resolve()
            if root not in path.parents or not path.is_file():
                REFUSED.append(url)
                raise RenderError(f"refused to fetch {url!r}: outside the build's assets")
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": _TYPES.get(path.suffix, _OTHER)})

    return ConfinedFetcher(allowed_protocols=("file", "data"))


_TYPES, _OTHER = {".svg": "image/svg+xml", ".png": "image/png"}, "application/octet-stream"


@contextmanager
def _source_date():
    """Fix the PDF's dates unless the caller already did (byte-identical rebuilds)."""
    had = "SOURCE_DATE_EPOCH" in os.environ
    if not had:
        os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    try:
        yield
    finally:
        if not had:
            os.environ.pop("SOURCE_DATE_EPOCH", None)


def lay_out(html: str, base: Path, assets: Path | Mapping[str, bytes] | None = None, css: str | None = None):
    """The HTML laid out in pages by WeasyPrint (a Document, not yet written), fetching only from the
    assets folder (base/assets by default; or a mapping that stands for it, see confined_fetcher), with print.css (``css``, the built-in one by default) as its
    stylesheet and the math font loaded for the math images, whose glyphs are text in it (see mathtex)."""
    load_weasyprint()
    from weasyprint import HTML

    # WeasyPrint warns about screen-only CSS (media features), and logs each fetch our fetcher refuses,
    # which only a user's template can ask for: that is reported once, below, as the build's error
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("weasyprint").addFilter(_NOT_FETCHED)
    REFUSED.clear()
    with _source_date():
        document = HTML(string=html, base_url=VIRTUAL_BASE,
                        url_fetcher=confined_fetcher(assets if assets is not None else base / "assets", virtual=True))
        fonts, stylesheets = weasyprint_setup(css if css is not None else (templates_dir() / "print.css").read_text(encoding="utf-8"))
        laid_out = document.render(font_config=fonts, stylesheets=stylesheets, uncompressed_pdf=False)
    if REFUSED:
        raise FetchRefused(f"the page asks to fetch {REFUSED[0][:80]!r}; a page may use only the build's own files")
    return laid_out


def save(laid_out, target: Path) -> None:
    """A laid-out document written as PDF, with fixed dates (byte-identical rebuilds)."""
    with _source_date():
        laid_out.write_pdf(target, uncompressed_pdf=False)


def write_pdf(html: str, base: Path, target: Path, title: str, assets: Path | None = None,
              css: str | None = None) -> None:
    """Lay out the HTML (lay_out) and write it as PDF."""
    save(lay_out(html, base, assets, css), target)
