"""Pages a teacher would not hand out, found in WeasyPrint's own boxes and mended by laying out again.

CSS alone cannot see where a page ends. Four faults it leaves:

- a page that holds nothing but the last strip of one problem's room to work, with its answer line,
  before a module that opens on a new page (or at the end of the worksheet): the room is cut back to
  what fits on the problem's own page, or, where that would take too much, the problem starts the page;
- a worked solution's figure set after its answer that lands on a later page than its question, or one
  floated beside the steps that breaks over two pages (its caption overleaf): the figure goes above the
  steps instead, whole, next to the question it draws;
- a module's worked example whose question stands alone at a page foot, its figure (set under it) overleaf
  with all its steps: the figure goes after its answer (``figure_late``);
- a worked solution's question alone at the foot of a page, its steps overleaf: the solution starts the
  next page (a figure floated beside the steps is set inside the first step, so that one that does not fit
  no longer takes the steps along; partials/steps.html);
- a worked solution going on overleaf from a page it leaves under half full: its last step is let go from
  the one before, which it is otherwise kept with (``loose``).

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
SHORT_SHARE = 0.0  # a run's first problem, under what leaves its page under half full, may be cut back to this
# share of its room, and never under the least room any problem is given (``least_cm``, 3 cm)
ANSWER_CM = 1.0  # the answer line under a room, with its label
LINE_CM = 0.75  # a ruled line: a room is cut back a line at a time
CM = 96 / 2.54  # CSS pixels a centimetre
LOOSE_SHARE = 0.5  # a page a worked solution goes on overleaf from, filled less than this, is a fault


@dataclass
class Fragment:
    """One article's part on one page."""

    article: str
    classes: tuple[str, ...]
    head: bool = False  # its question (problem-head or prompt) is on this page
    room_cm: float = 0.0  # its room to work on this page
    answer_cm: float = 0.0  # its answer lines on this page
    height: float = 0.0  # how tall its part on this page is, in CSS pixels
    body: bool = False  # anything of it but its question is on this page
    figure_below: bool = False  # its figure set after the answer is on this page
    figure: bool = False  # any part of its figure is on this page
    # a part of its floated figure laid out outside the article on this page: the part of one broken over two pages,
    # or a stray copy of its caption left at the top of the page its article was moved to (read54 F12)
    loose: bool = False


@dataclass
class Page:
    fragments: list[Fragment] = field(default_factory=list)
    other: bool = False  # anything outside an article: a heading, a primer, the key
    filled: float = 0.0  # how far down the content reaches, as a share of the page's content height
    inked: float = 0.0  # how far down its lines, pictures and rules reach: a box going on overleaf is laid
    # out to the page's foot, so ``filled`` is 1 on a page a long solution leaves half empty


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

    inked = top

    def walk(box, fragment: Fragment | None):
        nonlocal lowest, inked
        for child in getattr(box, "children", None) or []:
            if type(child).__name__ == "MarginBox":
                continue
            tag = getattr(child, "element_tag", None)
            classes = _classes(child)
            if tag not in STRUCTURE and child.height:
                lowest = max(lowest, child.position_y + child.margin_height())
                if _ink(child):
                    inked = max(inked, child.position_y + child.margin_height())
            here = fragment
            if tag == "article" and child.element.get("id") and (fragment is None or fragment.article != child.element.get("id")):
                here = fragment_of(child.element.get("id"), classes, child.margin_height())
                here.body = here.body or any(
                    part.height and not {"problem-head", "prompt", "example-label"} & set(_classes(part))
                    for part in getattr(child, "children", None) or [])
            elif fragment is None and tag == "figure" and id(child.element) in figures:
                article = figures[id(child.element)]
                here = fragment_of(article, next((f.classes for f in page.fragments if f.article == article), ()), 0.0)
                here.body = here.loose = True
            elif fragment is None and tag not in STRUCTURE and "sr-only" not in classes:
                page.other = True
            if here is not None:
                if "problem-head" in classes or (tag == "div" and "prompt" in classes and "example" in here.classes):
                    here.head = True
                if "work-part" in classes:
                    here.room_cm += child.height / CM
                if "answer-line" in classes:
                    here.answer_cm += child.margin_height() / CM
                if tag == "figure" and "below" in classes:
                    here.figure_below = True
                if tag == "figure":
                    here.figure = True
            walk(child, here)

    walk(page_box, None)
    page.filled = (lowest - top) / page_box.height if page_box.height else 1.0
    page.inked = (inked - top) / page_box.height if page_box.height else 1.0
    return page


def _has(changed: dict[str, dict], article: str, key: str) -> bool:
    return bool(changed.get(article, {}).get(key))


def _set_late(changed: dict[str, dict], article: str) -> None:
    """The article's figure set after its answer (``figure_late``), not above its steps."""
    changed.setdefault(article, {}).update(figure_late=True, figure_first=False)


def faults(page_boxes: list, fit: dict[str, dict], rooms_too: bool = True) -> dict[str, dict]:
    """The changes that mend the laid-out pages, merged into ``fit`` (a new dict); ``{}`` when none is needed
    or none can help. ``rooms_too=False`` leaves rooms to work as they are: only the worked solutions' faults,
    which a worksheet's plan must be made after (a worked example's figure set first moves what follows it)."""
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
            if ((parted or fragment.loose or len(figured.get(fragment.article, ())) > 1)
                    and not _has(changed, fragment.article, "figure_first")
                    and not _has(changed, fragment.article, "figure_late")):
                changed.setdefault(fragment.article, {})["figure_first"] = True
                found = True
        # a worked solution's question alone at the foot of a page, all it asks overleaf: it starts the next page;
        # but where that would leave the page under half full and the figure set above the steps took them along
        # (the fan-out graph at seeds 77 and 4242: page 17 was 46% full), the figure goes after the answer instead
        last = page.fragments[-1] if page.fragments else None
        if (last is not None and "solution" in last.classes and "example" not in last.classes and last.head
                and not last.body and number + 1 < len(pages) and not fit.get(last.article, {}).get("starts_page")
                and not _has(changed, last.article, "figure_late")
                and any(f.article == last.article for f in pages[number + 1].fragments)):
            left = page.inked - last.height / page_boxes[number].height
            overleaf = any(f.article == last.article and f.figure for f in pages[number + 1].fragments)
            if left < LOOSE_SHARE and overleaf:
                _set_late(changed, last.article)
            else:
                changed.setdefault(last.article, {})["starts_page"] = True
            found = True
        # a module's worked example whose question stands alone at the foot of its page, the figure set under it
        # gone overleaf with every step after it (Adam's example at seed 4242 left a third of its page empty under
        # the question: read33): its figure goes after its answer, and the steps follow the question
        if (last is not None and "example" in last.classes and last.head and not last.body and number + 1 < len(pages)
                and any(f.article == last.article and f.figure for f in pages[number + 1].fragments)
                and not _has(changed, last.article, "figure_late")):
            _set_late(changed, last.article)
            found = True
        # a page under half full before a worked solution that starts the next page whole, its figure set above its
        # steps (the fan-out graph, at seeds 77 and 4242: the question, the graph and the first step kept together
        # did not fit under problem 21, 46% of its page): the figure goes after the answer, the steps follow the
        # question down this page
        following = pages[number + 1].fragments[0] if number + 1 < len(pages) and pages[number + 1].fragments else None
        if (following is not None and page.inked < LOOSE_SHARE and "solution" in following.classes
                and "example" not in following.classes and following.head and following.figure
                and not pages[number + 1].other and all(f.article != following.article for f in page.fragments)
                and not _has(changed, following.article, "figure_late")
                and not _has(changed, following.article, "starts_page")):
            _set_late(changed, following.article)
            found = True
        # a module's primer on a page it leaves under half full, its worked example overleaf whole, the figure beside
        # its first step too tall to come along (Module 5's at seed 8117: 46% of the page, read44 F2): the figure goes
        # after the answer, and the example starts under the primer, as a module's example should
        if (following is not None and page.inked < LOOSE_SHARE and page.other and "example" in following.classes
                and following.head and following.figure and all(f.article != following.article for f in page.fragments)
                and not _has(changed, following.article, "figure_late")):
            _set_late(changed, following.article)
            found = True
        # a worked solution going on overleaf from a page under half full: its last step was kept with the one
        # before (so that an answer never stands alone under a table it sums up), and the two, with the
        # answer, were too tall for the page (XOR's sums and its gradients, 58% of a page left empty: read27)
        if (last is not None and "solution" in last.classes and page.inked < LOOSE_SHARE
                and number + 1 < len(pages) and not _has(changed, last.article, "loose")
                and any(f.article == last.article for f in pages[number + 1].fragments)):
            changed.setdefault(last.article, {})["loose"] = True
            found = True
        # a page with only the end of one problem's room on it, and little of that
        if not rooms_too or number == 0 or page.other or len(page.fragments) != 1 or page.filled >= TAIL_SHARE:
            continue
        tail = page.fragments[0]
        if tail.head or "solution" in tail.classes or not rooms.get(tail.article):
            continue
        if _has(changed, tail.article, "starts_page"):
            continue
        given = rooms[tail.article]
        sized = fit.get(tail.article, {}).get("sized", given)
        before = sum(f.room_cm for p in pages[first_page[tail.article]:number] for f in p.fragments
                     if f.article == tail.article)
        # what the page before holds, in whole lines, with the answer lines under it
        answer = sum(f.answer_cm for p in pages for f in p.fragments if f.article == tail.article) or ANSWER_CM
        room = min(given - LINE_CM, LINE_CM * int((before - answer) / LINE_CM + 1e-6))
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



# ---- Setting a worksheet's pages: each problem whole on one page, rooms stretched or cut back to fill it ----
#
# A worksheet's problems between a module's worked example and the next module (a run) are elastic: each
# room to work may be cut back to KEEP_SHARE of what its worked solution asked for, or stretched to fill its
# page. ``plan`` measures the first layout (each problem's height and room) and chooses, over every way of
# cutting a run into pages, the one that keeps each problem whole on a page, leaves no page but the last of a
# run under half full and changes the rooms least; a problem too tall for a page of its own goes on overleaf,
# its room filling the page it ends on. ``realised`` checks the next layout did what was planned.

SAFETY_PX = 6.0  # what a planned page keeps free of its height, for rounding and collapsed margins
PART_PX = 1.5 * CM  # a room goes on overleaf between parts of 1.5 cm (partials/work.html): at most this is lost
CONTINUED_SLACK = 0.5 * CM  # what the page a room goes on overleaf from keeps free under it
CONTINUED_MARGIN = 1.0  # cm: what the page it goes on to keeps free under the rest of it (its margin, rounding)
STRETCH = (1.3, 1.5)  # a room may grow to this share of its size, or by this many cm, whichever is more
HALF = 0.5  # no page but a run's last is filled less than this
PAGE_COST = 0.6  # a page of paper, against a room changed by its own size (cut back counts CUT_COST)
CUT_COST = 3.0
SHORT_COST = 100.0  # a page under half full where it need not be
SPLIT_COST = 2.0  # a problem going on overleaf inside its room
TAIL_COST = 2.0  # a page holding only the end of a room, by the share of it left empty


@dataclass
class Item:
    """A worksheet problem as the first layout set it."""

    article: str
    page: int  # where it starts
    top: float  # and how far down that page, in CSS pixels
    height: float = 0.0  # all of it, margins included, over every page it is on
    room: float = 0.0  # its room to work, in CSS pixels
    pages: int = 1
    last_room: float = 0.0  # its room on the last page it is on
    answer: float = 0.0  # its answer lines, in CSS pixels (one a part of its answer)
    tail: float = 0.0  # how far its box reaches below its last line or rule (its margin and padding), in pixels:
    # a page is as full as its ink reaches, not its boxes (seed 4242's page 27 was 50.5% by boxes, 49% by ink)


@dataclass
class Run:
    """Problems one after another with nothing between them, the next thing after them on a new page."""

    items: list[Item]
    page_height: float
    closed: bool = True  # what follows starts a page (a module opening, the key, the end)
    start: tuple[int, float] = (0, 0.0)  # the page and height where what stands before the run ends
    carried: bool = False  # its heading counted on the page before, where it stood but for the first problem
    heading: float = 0.0  # that heading's height, in pixels: overleaf, it stands above the first problem again
    inked: float = 0.0  # how far down that page what stands before the run reaches in lines and pictures, in pixels


def _measure(page_boxes: list) -> list[Run]:
    """The runs of worksheet problems of a laid-out document."""
    runs: list[Run] = []
    current: list[Item] = []
    items: dict[str, Item] = {}
    last_section = None
    before = (0, 0.0)  # where the last thing before the run ends: a problem put overleaf may fit above
    ink = (0, 0.0)  # and how far its lines reach: a box ends under them, by its padding and margins
    lead = 0.0  # "Now you try." before a section's first problem, which goes with it
    forced = True  # whether what ended the last page also ended it by rule (a cover, a module opening)
    carried = -1  # the page whose heading, put overleaf with a first problem too tall, is counted on the page before
    heading = 0.0  # and that heading's height

    def runs_on(page: int) -> bool:
        """Whether a problem stands on the page."""
        return any(item.page <= page < item.page + item.pages for item in items.values())

    def close(next_opens: bool):
        nonlocal current
        if current:
            start = before if before[0] < current[0].page else (current[0].page, current[0].top)
            moved = carried > 0 and start[0] == carried - 1 < current[0].page
            runs.append(Run(current, page_boxes[0].height, closed=next_opens, start=start, carried=moved,
                            heading=heading if moved else 0.0,
                            inked=min(start[1], ink[1] if ink[0] == start[0] else start[1])))
        current = []

    def walk(box, number: int, top: float):
        nonlocal last_section, before, lead, forced, carried, ink, heading
        for child in getattr(box, "children", None) or []:
            if type(child).__name__ == "MarginBox":
                continue
            tag = getattr(child, "element_tag", None)
            if tag in (None, "html", "body", "main"):
                walk(child, number, top)
                continue
            classes = set(_classes(child))
            if tag == "section":
                if child.element is not last_section and last_section is not None:
                    close(bool({"opens", "back"} & classes))
                if child.element is not last_section:
                    forced = forced or bool({"opens", "back"} & classes)
                last_section = child.element
                walk(child, number, top)
                continue
            article = child.element.get("id") if tag == "article" else None
            if article and "problem" in classes and "solution" not in classes and "example" not in classes:
                if article in items:
                    item = items[article]
                    item.pages = number - item.page + 1
                    item.last_room = 0.0
                else:
                    item = items[article] = Item(article, number, child.position_y - top - lead, lead)
                    current.append(item)
                    lead = 0.0
                item.height += _extent(child) - child.position_y
                item.tail = max(0.0, _extent(child) - _inked(child))
                item.room += _room(child)
                item.answer += _room(child, "answer-line")
                item.last_room += _room(child)
            elif "now-you" in classes:
                close(False)
                lead = child.margin_height()
            elif "sr-only" not in classes and child.height:
                close(False)
                if (tag == "h2" and not forced and not runs_on(number - 1) and before[0] == number - 1
                        and child.position_y - top < 1.0):
                    carried = number  # a section's heading at a page's top, where no rule put it: its first
                if carried == number and not current:  # problem, too tall for what was left, took it overleaf;
                    before = (number - 1, before[1] + child.margin_height())  # counted where it could have stood
                    heading = child.margin_height()
                    continue
                before = (number, max(before[1] if before[0] == number else 0.0,
                                      _extent(child) - top if tag in ("article", "div", "figure") else
                                      child.position_y + child.margin_height() - top))
                ink = (number, max(ink[1] if ink[0] == number else 0.0, _inked(child) - top))
                forced = "cover" in classes

    for number, page_box in enumerate(page_boxes):
        walk(page_box, number, page_box.content_box_y())
    close(True)
    return runs


def _extent(box) -> float:
    """How far down a box's contents reach: a box broken over two pages reaches the page foot, its contents not."""
    children = getattr(box, "children", None) or []
    if not children or getattr(box, "element_tag", None) not in ("article", "div", "figure"):
        return box.position_y + box.margin_height()
    return max(_extent(child) for child in children) + box.padding_bottom + box.border_bottom_width + box.margin_bottom


def _ink(box) -> bool:
    """Whether a box is ink on the page: a line, a picture or a ruled strip (a box with nothing inside it)."""
    return type(box).__name__ == "LineBox" or not getattr(box, "children", None)


def _inked(box) -> float:
    """How far down a box's lines, pictures and rules reach."""
    if _ink(box):
        return box.position_y + box.margin_height() if box.height else box.position_y
    return max(_inked(child) for child in box.children)


def _room(box, cls: str = "work-part") -> float:
    """How tall a box's room to work is (its work-part boxes), or its answer lines (cls "answer-line", margins
    and all)."""
    if cls in _classes(box):
        return box.margin_height() if cls == "answer-line" else box.height
    return sum(_room(child, cls) for child in getattr(box, "children", None) or [])


@dataclass
class _Choice:
    cost: float
    rooms: dict[str, float]  # article -> room in pixels
    starts: list[str]  # articles that start a page
    spills: tuple[str, ...] = ()  # articles that go on overleaf
    at: dict[str, int] = field(default_factory=dict)  # the page each article starts on, counted from the first
    firsts: dict[str, float] = field(default_factory=dict)  # the room on its first page of one that goes on overleaf


def _after(pages: int, rest: _Choice) -> dict[str, int]:
    return {article: pages + page for article, page in rest.at.items()}


def _spread(items: list[Item], space: float, bounds: dict[str, tuple[float, float]], fill: bool) -> dict | None:
    """Rooms for items that stand whole on one page of ``space`` pixels: cut back evenly (towards their
    least) where they do not fit, stretched evenly (towards their most) to fill it when ``fill``."""
    need = sum(item.height for item in items)
    if need <= space and not fill:
        return {item.article: item.room for item in items}
    if need > space:
        give = sum(item.room - bounds[item.article][0] for item in items)
        if need - give > space:
            return None
        share = (need - space) / give if give else 0.0
        return {item.article: item.room - share * (item.room - bounds[item.article][0]) for item in items}
    take = sum(bounds[item.article][1] - item.room for item in items)
    share = min(1.0, (space - need) / take) if take else 0.0
    return {item.article: item.room + share * (bounds[item.article][1] - item.room) for item in items}


def _change(item: Item, room: float) -> float:
    if not item.room:
        return 0.0
    change = (room - item.room) / item.room
    return -CUT_COST * change if change < 0 else change


def plan_run(run: Run, elastic: bool, least_cm: float, most_cm: float) -> _Choice | None:
    """The cheapest way to set a run's problems on pages (see above), or None where there is none. A room
    stays within ``least_cm`` and ``most_cm`` (or its own size, where that is outside them)."""
    items, height = run.items, run.page_height
    full = height - SAFETY_PX
    # a room its worked solution sized at the most (the capstone's) may fill the page it goes on to
    # and so may the first problem of a run whose heading it took overleaf from a page holding nothing else of
    # the run (a sheet's first page, its title alone): it starts under the heading there and goes on overleaf
    # and the first problem of a run that starts partway down a page (under a module's primer) may be cut back to
    # LEAST_SHARE, so that it stays on that page: a primer had stood alone on a page a third full (read23's capstone)
    # further, to SHORT_SHARE (the least room), where what stands above it leaves that page under half full: Module
    # 5's worked example ended 49% down its second page, and the momentum problem under it went overleaf (read27)
    first_share = (KEEP_SHARE if run.start[1] <= 0 else SHORT_SHARE if run.inked / height < HALF else LEAST_SHARE)
    # and one too tall for a page of its own at that share may be cut back to what fits on one, to LEAST_SHARE: a
    # 2-2-1 network, its nine-row table to fill in and twelve lines of passes, stands on one page with eleven lines
    # (set on two, its room was three times its work: read34)
    def least(item: Item) -> float:
        share = (first_share if item is items[0] else KEEP_SHARE) * item.room
        if item.height - item.room + share > full:
            share = max(LEAST_SHARE * item.room, full - (item.height - item.room))
        return max(share, min(item.room, least_cm * CM))

    # the first problem under what leaves its page under half full may fill that page (a practice set's title and
    # heading alone on its first page, the set begun overleaf: user48 F12; a worked example's last step: read44 F2)
    opener = not run.carried and run.start[1] > 0 and run.inked / height < HALF

    def most(item: Item) -> float:
        if item.room >= most_cm * CM - 1 or (run.carried and item is items[0]):
            return item.room + height
        stretched = max(min(max(STRETCH[0] * item.room, item.room + STRETCH[1] * CM), most_cm * CM), item.room)
        if opener and item is items[0]:  # to a little past half the page, no further: a one-star problem under a
            # worked example's last step had a room to the page foot, 22 ruled lines for two partials (read45 F1)
            return max(stretched, (HALF + 0.03) * height - run.start[1] - (item.height - item.room) + item.tail)
        return stretched

    bounds = {item.article: ((least(item), most(item)) if elastic and item.room else (item.room, item.room))
              for item in items}
    best: dict[tuple[int, int], _Choice | None] = {}

    def solve(start: int, space: float, opening: bool) -> _Choice | None:
        """The rest of the run from items[start], ``space`` pixels left on the page it starts on (``opening``:
        the run's own first page, where what stands above is not the run's)."""
        if start == len(items):
            return _Choice(0.0, {}, [])
        key = (start, round(space))
        if key not in best:
            best[key] = _cheapest(start, space, opening)
        return best[key]

    def page_cost(whole: list[Item], rooms: dict, space: float, last: bool) -> float:
        filled = (full - space + sum(item.height - item.room + rooms[item.article] for item in whole)
                  - (whole[-1].tail if whole else 0.0)) / height
        return (PAGE_COST + sum(_change(item, rooms[item.article]) for item in whole)
                + (SHORT_COST if not last and filled < HALF else 0.0))

    def _cheapest(start: int, space: float, opening: bool) -> _Choice | None:
        options: list[_Choice] = []
        starts = [] if opening or space < full else [items[start].article]
        if opening and space < full:  # the run may start overleaf, under its heading where it takes it along (read58
            rest = solve(start, full - run.heading, False)  # F9: planned for a whole page, the practice set's first
            # problem was set a page further on, its heading alone on the page between, and the plan was given up)
            if rest is not None:
                short = SHORT_COST if run.inked / height < HALF else 0.0
                options.append(_Choice(rest.cost + short, rest.rooms, [items[start].article] + rest.starts,
                                       rest.spills, _after(1, rest), rest.firsts))
        for end in range(start + 1, len(items) + 1):
            whole = items[start:end]
            last = end == len(items)
            rooms = _spread(whole, space, bounds, fill=False)
            if rooms is None:
                whole = items[start:end - 1]
            elif not last:
                rooms = _spread(whole, space, bounds, fill=True)  # a page a later one follows is filled
            if rooms is not None:
                rest = solve(end, full, False)
                if rest is not None:
                    cost = page_cost(whole, rooms, space, last) + rest.cost
                    if last:  # the run's last page: what room is left over is given to its problems, free
                        rooms = _spread(whole, space, bounds, fill=True)
                    options.append(_Choice(cost, {**rooms, **rest.rooms}, starts + rest.starts,
                                           rest.spills, {**dict.fromkeys(rooms, 0), **_after(1, rest)}, rest.firsts))
            # or the last of them goes on overleaf inside its room
            tall = items[end - 1]
            before = items[start:end - 1]
            rooms_before = _spread(before, space, bounds, fill=False) if before else {}
            if rooms_before is None:
                break
            if not tall.room or not elastic:
                if rooms is None:
                    break
                continue
            here = space - sum(item.height - item.room + rooms_before[item.article] for item in before)
            # its question and the start of its room on this page, the rest on the next, which it fills: that
            # page opens with the question again (partials/work.html), so that a student working on the back of
            # the sheet has the numbers in front of them
            first = here - (tall.height - tall.room - (tall.answer or ANSWER_CM * CM)) - CONTINUED_SLACK
            if first < 2 * PART_PX:
                if rooms is None:
                    break
                continue
            overleaf = full - (tall.height - tall.room)  # the question again and the answer line take the rest
            room = first + overleaf
            if overleaf >= 2 * PART_PX and bounds[tall.article][0] <= room <= bounds[tall.article][1]:
                rest = solve(end, full, False)  # what follows starts the page after
                if rest is not None:
                    cost = (2 * PAGE_COST + SPLIT_COST + sum(_change(item, rooms_before[item.article]) for item in before)
                            + _change(tall, room) + rest.cost)
                    options.append(_Choice(cost, {**rooms_before, tall.article: room, **rest.rooms},
                                           starts + rest.starts, (tall.article, *rest.spills),
                                           {**dict.fromkeys(rooms_before, 0), tall.article: 0, **_after(2, rest)},
                                           {tall.article: first, **rest.firsts}))
            if rooms is None:
                break
        return min(options, key=lambda choice: choice.cost) if options else None

    return solve(0, height - run.start[1] - SAFETY_PX, True)


def plan(page_boxes: list, elastic: bool = True, least_cm: float = 3.0, most_cm: float = 16.0) -> dict[str, dict]:
    """A worksheet's pages set by ``plan_run`` for each run of problems the next module closes: by article,
    its room in cm and whether it starts a page. ``{}`` where nothing needs setting or no plan keeps the
    problems whole. A run laid out well already (each problem whole on a page, as print.css asks, and no
    page but its last under half full) is left as it is: most sheets are laid out once."""
    fit: dict[str, dict] = {}
    for run in _measure(page_boxes):
        if not run.closed or not _needs_setting(run):
            continue
        choice = plan_run(run, elastic, least_cm, most_cm)
        if choice is None:
            continue
        for item in run.items:
            # a carried run's first problem set overleaf takes its heading along, as the first layout did: it is
            # not made to start a page, which would leave the heading behind, alone
            starts = item.article in choice.starts and not (run.carried and item is run.items[0])
            fit[item.article] = {"room_cm": int(choice.rooms[item.article] / CM * 100) / 100,
                                 "starts_page": starts, "planned": True,
                                 "spills": item.article in choice.spills, "page": choice.at[item.article]}
            if item.article in choice.firsts:  # its room up to the page foot, then the question again and the rest
                fit[item.article].update(first_cm=int(choice.firsts[item.article] / CM * 100) / 100,
                                         page_cm=round(run.page_height / CM - CONTINUED_MARGIN, 2))
    return fit


def _needs_setting(run: Run) -> bool:
    """Whether a run as laid out has a problem broken over two pages, or a page but its last (the run's own
    first page counted from its top) filled less than HALF."""
    if any(item.pages > 1 for item in run.items):
        return True
    lowest: dict[int, float] = {}
    if run.start[0] < run.items[0].page:  # the page it opens on, where the lines of what stands before it end
        lowest[run.start[0]] = run.inked
    for item in run.items:
        lowest[item.page] = max(lowest.get(item.page, 0.0), item.top + item.height - item.tail)
    last = max(lowest)
    return any(bottom / run.page_height < HALF for page, bottom in lowest.items() if page != last)


def realised(page_boxes: list, fit: dict[str, dict]) -> bool:
    """Whether a layout set the planned problems as planned: each on the page planned for it, counted from
    the page its run opens on, whole but those planned to go on overleaf (two parts of their room at least overleaf),
    and each planned to start a page at a page's top."""
    for run in _measure(page_boxes):
        planned = [(item, fit[item.article]) for item in run.items if fit.get(item.article, {}).get("planned")]
        if not planned:
            continue
        for item, asked in planned:
            if item.page - run.start[0] != asked["page"]:  # counted from where what stands before it ends
                return False
            if item.pages > 1 and (not asked.get("spills") or item.pages > 2 or item.last_room < 2 * PART_PX - 1):
                return False
            if asked.get("starts_page") and item.top > 1:
                return False
    return True
