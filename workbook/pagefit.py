"""Pages a teacher would not hand out, found in WeasyPrint's own boxes and mended by laying out again.

CSS alone cannot see where a page ends. Three faults it leaves:

- a page that holds nothing but the last strip of one problem's room to work, with its answer line,
  before a module that opens on a new page (or at the end of the worksheet): the room is cut back to
  what fits on the problem's own page, or, where that would take too much, the problem starts the page;
- a worked solution's figure set after its answer that lands on a later page than its question, or one
  floated beside the steps that breaks over two pages (its caption overleaf): the figure goes above the
  steps instead, whole, next to the question it draws;
- a worked solution's question alone at the foot of a page, its steps overleaf: the solution starts the
  next page (a figure floated beside the steps is set inside the first step, so that one that does not fit
  no longer takes the steps along; partials/steps.html).

``faults`` reads a laid-out document and returns what to change, by the id of the article (a dict the
templates read through ``fit``); render.fitted_layout lays the document out again with it, at most
FIT_PASSES times. A document with no fault is laid out once, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FIT_PASSES = 4  # layouts of one document at most: the first, and three with changes
TAIL_SHARE = 0.3  # a page holding only the end of a room to work, filled less than this, is a fault
KEEP_SHARE = 0.75  # a room is cut back while it keeps this share of the room it was sized for; else the
LEAST_SHARE = 0.6  # problem starts a page where it fits on one, and where it does not, is cut back to this share
ANSWER_CM = 1.0  # the answer line under a room, with its label
LINE_CM = 0.75  # a ruled line: a room is cut back a line at a time
CM = 96 / 2.54  # CSS pixels a centimetre


@dataclass
class Fragment:
    """One article's part on one page."""

    article: str
    classes: tuple[str, ...]
    head: bool = False  # its question (problem-head or prompt) is on this page
    room_cm: float = 0.0  # its room to work on this page
    height: float = 0.0  # how tall its part on this page is, in CSS pixels
    body: bool = False  # anything of it but its question is on this page
    figure_below: bool = False  # its figure set after the answer is on this page
    figure: bool = False  # any part of its figure is on this page


@dataclass
class Page:
    fragments: list[Fragment] = field(default_factory=list)
    other: bool = False  # anything outside an article: a heading, a primer, the key
    filled: float = 0.0  # how far down the content reaches, as a share of the page's content height


def _classes(box) -> tuple[str, ...]:
    element = getattr(box, "element", None)
    return tuple((element.get("class") or "").split()) if element is not None and hasattr(element, "get") else ()


STRUCTURE = {None, "html", "body", "main", "section"}


def _figures_of(page_box) -> dict:
    """Each figure element of the document, by identity, to the id of the article it is in: the part of a
    floated figure broken over two pages is laid out outside its article's boxes."""
    html = next((box.element for box in page_box.children if getattr(box, "element_tag", None) == "html"), None)
    if html is None:
        return {}
    return {id(figure): article.get("id") for article in html.iter("article") if article.get("id")
            for figure in article.iter("figure")}


def read_page(page_box, figures: dict | None = None) -> Page:
    """The articles on a page, what of each is there, and whether anything else is. ``figures`` is
    _figures_of the document (found from this page when not given)."""
    page = Page()
    top = page_box.content_box_y()
    lowest = top
    figures = _figures_of(page_box) if figures is None else figures
    own: dict[str, Fragment] = {}

    def fragment_of(article: str, classes: tuple[str, ...], height: float) -> Fragment:
        if article not in own:  # one fragment an article a page, however many boxes it is laid out in
            own[article] = Fragment(article, classes)
            page.fragments.append(own[article])
        own[article].height += height
        return own[article]

    def walk(box, fragment: Fragment | None):
        nonlocal lowest
        for child in getattr(box, "children", None) or []:
            if type(child).__name__ == "MarginBox":
                continue
            tag = getattr(child, "element_tag", None)
            classes = _classes(child)
            if tag not in STRUCTURE and child.height:
                lowest = max(lowest, child.position_y + child.margin_height())
            here = fragment
            if tag == "article" and child.element.get("id") and (fragment is None or fragment.article != child.element.get("id")):
                here = fragment_of(child.element.get("id"), classes, child.margin_height())
                here.body = here.body or any(
                    part.height and not {"problem-head", "prompt", "example-label"} & set(_classes(part))
                    for part in getattr(child, "children", None) or [])
            elif fragment is None and tag == "figure" and id(child.element) in figures:
                article = figures[id(child.element)]
                here = fragment_of(article, next((f.classes for f in page.fragments if f.article == article), ()), 0.0)
                here.body = True
            elif fragment is None and tag not in STRUCTURE and "sr-only" not in classes:
                page.other = True
            if here is not None:
                if "problem-head" in classes or (tag == "div" and "prompt" in classes and "example" in here.classes):
                    here.head = True
                if "work-part" in classes:
                    here.room_cm += child.height / CM
                if tag == "figure" and "below" in classes:
                    here.figure_below = True
                if tag == "figure":
                    here.figure = True
            walk(child, here)

    walk(page_box, None)
    page.filled = (lowest - top) / page_box.height if page_box.height else 1.0
    return page


def faults(page_boxes: list, fit: dict[str, dict]) -> dict[str, dict]:
    """The changes that mend the laid-out pages, merged into ``fit`` (a new dict); ``{}`` when none is needed
    or none can help."""
    figures = _figures_of(page_boxes[0]) if page_boxes else {}
    pages = [read_page(box, figures) for box in page_boxes]
    rooms: dict[str, float] = {}  # each problem's room to work as laid out, in cm, over all its pages
    for page in pages:
        for fragment in page.fragments:
            rooms[fragment.article] = rooms.get(fragment.article, 0.0) + fragment.room_cm
    changed = {key: dict(value) for key, value in fit.items()}
    found = False
    first_page: dict[str, int] = {}
    for number, page in enumerate(pages):
        for fragment in page.fragments:
            first_page.setdefault(fragment.article, number)
    figured: dict[str, set[int]] = {}
    for number, page in enumerate(pages):
        for fragment in page.fragments:
            if fragment.figure:
                figured.setdefault(fragment.article, set()).add(number)
    for number, page in enumerate(pages):
        # a figure after its answer, on a later page than its question, or a figure (floated beside the
        # steps) broken over two pages, its caption overleaf: above the steps instead, whole
        for fragment in page.fragments:
            parted = fragment.figure_below and first_page[fragment.article] < number
            if (parted or len(figured.get(fragment.article, ())) > 1) and not changed.get(
                    fragment.article, {}).get("figure_first"):
                changed.setdefault(fragment.article, {})["figure_first"] = True
                found = True
        # a worked solution's question alone at the foot of a page, all it asks overleaf: it starts the next page
        last = page.fragments[-1] if page.fragments else None
        if (last is not None and "solution" in last.classes and "example" not in last.classes and last.head
                and not last.body and number + 1 < len(pages) and not fit.get(last.article, {}).get("starts_page")
                and any(f.article == last.article for f in pages[number + 1].fragments)):
            changed.setdefault(last.article, {})["starts_page"] = True
            found = True
        # a page with only the end of one problem's room on it, and little of that
        if number == 0 or page.other or len(page.fragments) != 1 or page.filled >= TAIL_SHARE:
            continue
        tail = page.fragments[0]
        if tail.head or "solution" in tail.classes or not rooms.get(tail.article):
            continue
        if changed.get(tail.article, {}).get("starts_page"):
            continue
        given = rooms[tail.article]
        sized = fit.get(tail.article, {}).get("sized", given)
        before = sum(f.room_cm for p in pages[first_page[tail.article]:number] for f in p.fragments
                     if f.article == tail.article)
        # what the page before holds, in whole lines, with the answer line under it
        room = min(given - LINE_CM, LINE_CM * int((before - ANSWER_CM) / LINE_CM + 1e-6))
        fits = sum(f.height for p in pages for f in p.fragments if f.article == tail.article) < page_boxes[number].height
        here = changed.setdefault(tail.article, {})
        if room >= max(3.0, KEEP_SHARE * sized) or not fits and room >= max(3.0, LEAST_SHARE * sized):
            here.update(room_cm=room, sized=sized)
        elif fits:
            here.pop("room_cm", None)
            here["starts_page"] = True
        else:
            if not here:
                del changed[tail.article]
            continue
        found = True
    return changed if found else {}

