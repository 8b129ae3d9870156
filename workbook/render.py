"""Jinja templates to HTML, and HTML to PDF through WeasyPrint.

Two media from the same templates: `html` (math as MathML with the LaTeX as annotation, figures
embedded, the stylesheet inlined: one self-contained offline file) and `pdf` (math and figures as
SVG and PNG images held in memory, the only files WeasyPrint may fetch). Bank text is
data: autoescaped, never compiled as a template.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import html.parser
import json
import os
import re
import time
from collections.abc import ItemsView, KeysView, ValuesView
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, pass_context
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.loaders import split_template_path
from jinja2.runtime import markup_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace, _PassArg
from markupsafe import Markup, escape
from pydantic import BaseModel

from workbook import mathtex, pagefit, pdf, segments
from workbook.cache import Store, digest
from workbook.edition import Heading
from workbook.errors import InputError, excerpt, printable
from workbook.resources import inside, templates_dir
from workbook.userfiles import HARD_LINK, hard_link, read_text
from workbook.userfiles import LIMIT as USER_FILE_LIMIT

DOCUMENTS = {"worksheet": "Worksheet", "answers": "Answer key", "solutions": "Solutions",
             "practice": "Practice set", "interactive": "Practice set, interactive",
             "teacher-key": "Teacher's key, all versions"}
def title_of(which: str, doc: dict) -> str:
    """A document's title: the class's key is "all students", not "all versions"."""
    # (the key's head says which copies it holds: it asked for a "class" no head had, and a roster's key was headed
    # "all versions", user53 F3)
    students = doc["edition"].get("copy_name") == "student"
    return "Teacher's key, all students" if which == "teacher-key" and students else DOCUMENTS[which]


HTML_ONLY = ("interactive",)  # a page that works in a browser: no PDF of it
EDITION_DOCUMENTS = ("worksheet", "answers", "solutions")


class FolderLoader(FileSystemLoader):
    """Jinja's file loader, refusing, before reading it, a template that is a link to a file outside
    its folder or one larger than any template (a device, a pipe or a huge file is never read)."""

    LIMIT = USER_FILE_LIMIT
    SUFFIXES = (".html", ".css", ".js")  # what a template is: an edition naming its own folder ("templates = '.'")
    # had {% include "taxes.txt" %} and ".ssh/id_rsa" read into the page from beside it (attack33 F9)

    def get_source(self, environment, template):
        parts = split_template_path(template)
        if not parts or any(part.startswith(".") for part in parts) or not parts[-1].endswith(self.SUFFIXES):
            raise TemplateNotFound(f"{template} (a template is an .html, .css or .js file, in no dot-folder)")
        for folder in self.searchpath:
            path = Path(folder, *parts)
            if path.is_file():  # the one Jinja will read: the first folder that has it
                if not inside(path, Path(folder)) or path.stat().st_size > self.LIMIT:
                    raise TemplateNotFound(f"{template} (a link out of its template folder, or over 1 MB)")
                if folder != self.searchpath[-1] and hard_link(path):  # a user's folder: the built-in one may be
                    # installed as hard links to a package cache (uv's default)
                    raise TemplateNotFound(f"{template} (a hard link: the same file as another name, which may be "
                                           "outside the folder; copy the file in)")
                break
            if os.path.lexists(path):  # a pipe, a device, a folder or a link to nothing under a template's name: the
                # built-in page was used in its place without a word, the folder's other pages with it (attack48 F3)
                raise TemplateNotFound(f"{template} (not a file: a folder, a pipe, a device or a link to nothing)")
        try:
            source, filename, uptodate = super().get_source(environment, template)
        except UnicodeDecodeError as exc:  # named: a folder of many templates (attack48 F4)
            raise TemplateNotFound(f"{template} (not UTF-8 text, byte {exc.start}: save it as UTF-8)") from None
        if "\x00" in source:  # copied into the page as it stood (attack32): no text holds one
            raise TemplateNotFound(f"{template} (it holds a NUL character, which no text has)")
        return source, filename, uptodate


class TemplateSandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox, with the data it is handed read-only (no ``.append`` or ``.update``), refusing
    to repeat a string or list, or to raise a power, into a huge value; and of an object it is handed
    that is not plain data (the edition's heading and page options), showing only its fields: never a
    method, such as pydantic's ``parse_raw``, which unpickles, or ``parse_file``, which reads a file.
    """

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        for kind, allowed in _PLAIN_METHODS:  # plain values: only methods whose result the sandbox can size
            if isinstance(obj, kind):
                return attr in allowed and super().is_safe_attribute(obj, attr, value)
        if isinstance(obj, BaseModel):
            return attr in type(obj).model_fields and super().is_safe_attribute(obj, attr, value)
        if dataclasses.is_dataclass(obj):
            return (not isinstance(obj, type) and attr in {f.name for f in dataclasses.fields(obj)}
                    and super().is_safe_attribute(obj, attr, value))
        if isinstance(obj, type):
            return False  # a class: its constructors and class methods are not data
        return super().is_safe_attribute(obj, attr, value)

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    LIMIT = 100_000
    OUTPUT_LIMIT = 20_000_000  # characters a document may be: a hundred times a full edition's HTML

    def __init__(self, *args, **kwargs):
        # Jinja works out constant expressions while it compiles, and the main process compiles a template
        # folder before forking (no budget, no memory cap there): "..." | indent(99999) reached 11.7 GB there.
        # Unoptimized, every expression is worked out as the template runs, in a worker, through the checks below
        kwargs["optimized"] = False
        super().__init__(*args, **kwargs)
        self.finalize = self._finalize  # each {{ value }}: measured before it is made text
        self.concat = self.checked_buffer  # what a block or a macro captured, measured before it is joined
        self.written = 0  # characters of values the page being filled in has shown so far, captured or not
        self.code_generator_class = _CheckedConcat
        self.filters = {name: _at_run_time(_bounded(f, self.LIMIT, self)) for name, f in self.filters.items()}
        self.globals["lipsum"] = self._lipsum

    def _lipsum(self, n: int = 5, html: bool = True, min: int = 20, max: int = 100):  # Jinja's names
        """Jinja's placeholder text, its size checked before it is made: lipsum(n=10000000) took a minute."""
        from jinja2.utils import generate_lorem_ipsum

        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n, min, max)) or min < 1 or max < min:
            raise SecurityError("lipsum takes whole numbers: n paragraphs of min to max words")
        if n * max * 12 > self.LIMIT:  # a word and its space are at most a dozen characters
            raise SecurityError(f"a template may not build a value longer than {self.LIMIT}")
        return generate_lorem_ipsum(n, html, min, max)

    def checked_concat(self, parts):
        """``a ~ b``: refused past the size limit, like * (a loop could double a string to any size), each part
        measured before it is made text (a list of lists within the limit prints as 10^10 characters)."""
        _sized(parts, self.LIMIT)
        joined = markup_join([str(p) if not isinstance(p, str) else p for p in parts])
        self.made(joined)
        return joined

    def checked_buffer(self, parts):
        """What a ``{% set %}`` block, a macro or a ``{% filter %}`` block captured, joined: refused past a
        page's length before it is joined (a loop captured a 500-million-character value)."""
        parts = list(parts)  # (super() hands a generator: measured, it would join nothing)
        if sum(len(p) for p in parts) > self.OUTPUT_LIMIT:
            raise SecurityError(f"a template may not capture more than {self.OUTPUT_LIMIT} characters")
        return "".join(parts)

    def made(self, value) -> None:
        """Count text a call, a filter or an operator made: each within the limit, a page's worth in all (a
        list of 99 999 strings of 100 000 characters, each lower-cased, took a worker to its memory cap)."""
        if isinstance(value, str):
            self.written += len(value)
            if self.written > WRITTEN_LIMIT:
                raise SecurityError(f"a template may not make more than {WRITTEN_LIMIT} characters of text a page")

    def _finalize(self, value):
        """Each ``{{ value }}``, measured before it is made text, and counted: a loop inside a ``{% set %}``
        block escapes a copy of its value each time, kept until the block ends (5000 copies of 100 000
        characters took 1.5 GB before the block's text could be measured)."""
        size = _text_size(value, self.OUTPUT_LIMIT)
        self.written += size
        if size > self.OUTPUT_LIMIT or self.written > WRITTEN_LIMIT:
            raise SecurityError(f"a template may not write more than {WRITTEN_LIMIT} characters of values a page")
        return value

    def call(self, context, obj, /, *args, **kwargs):
        name, owner = getattr(obj, "__name__", ""), getattr(obj, "__self__", None)
        if isinstance(owner, str):
            if name in _SIZED_METHODS:
                _no_huge_number(args, kwargs, self.LIMIT)  # "x".center(10**9): refused before the gigabyte is made
            if name == "replace":
                _replace_size(owner, *args[:2], limit=self.LIMIT)  # "b".replace("b", huge): refused before
            elif name == "join" and args:
                args = (_joined_items(args[0], owner, self.LIMIT), *args[1:])
        value = super().call(context, obj, *args, **kwargs)
        _checked_value(value, self.LIMIT)  # "x".center(10**9)
        self.made(value)
        return value

    def wrap_str_format(self, value):
        """str.format, as Jinja's sandbox wraps it, with its widths checked first: "{:>999999999}".format(1)."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text = value.__self__

        def checked(*args, **kwargs):
            _format_widths(text, self.LIMIT)
            # "{0}{0}{0}…".format(s): each field may show the largest argument
            fields = text.count("{") - 2 * text.count("{{")
            if len(text) + max(fields, 0) * max((_text_size(v, self.LIMIT) for v in (*args, *kwargs.values())),
                                                default=0) > self.LIMIT:
                raise SecurityError(f"a template may not build a value longer than {self.LIMIT}")
            return wrapped(*args, **kwargs)

        return checked

    def call_binop(self, context, operator, left, right):
        if (operator == "+" and isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple)
                and len(left) + len(right) > self.LIMIT):
            raise SecurityError(f"a template may not build a value longer than {self.LIMIT}")
        if operator == "*":
            count = next((v for v in (left, right) if isinstance(v, int)), 1)
            seq = next((v for v in (left, right) if isinstance(v, str | list | tuple)), None)
            if seq is not None and len(seq) * count > self.LIMIT:
                raise SecurityError(f"a template may not build a value longer than {self.LIMIT}")
        if operator == "**" and isinstance(right, int | float) and abs(right) > 100:
            raise SecurityError("a template may not raise to a power over 100")
        if _whole(left) and _whole(right) and (
                operator == "*" and left.bit_length() + right.bit_length() > MAX_BITS
                or operator == "**" and abs(left) > 1 and right > 0 and left.bit_length() * right > MAX_BITS):
            # squaring again and again doubled a number's digits to any size: refused before it is worked out
            raise SecurityError(f"a template may not make a number of more than {MAX_DIGITS} digits")
        if operator == "%" and isinstance(left, str):
            # "%05000000d" % 1: a width (or precision) is checked before the string is made, a * width refused
            _percent_widths(left, self.LIMIT)
            if isinstance(right, dict):  # %(name)s: each name may be used again and again
                size = len(left) + left.count("%(") * max((_text_size(v, self.LIMIT) for v in right.values()), default=0)
            else:
                size = len(left) + sum(_text_size(v, self.LIMIT) for v in (right if isinstance(right, tuple) else (right,)))
            if size > self.LIMIT:  # "%s%s" % (s, s): refused before it is made
                raise SecurityError(f"a template may not build a value longer than {self.LIMIT}")
            result = super().call_binop(context, operator, left, right)
            if len(result) > self.LIMIT:  # each part within the limit, but many of them
                raise SecurityError(f"a template may not build a value longer than {self.LIMIT}")
            self.made(result)
            return result
        result = super().call_binop(context, operator, left, right)
        _checked_value(result, self.LIMIT)
        self.made(result)
        return result


WRITTEN_LIMIT = 50_000_000  # characters of values one page's templates may show in all, kept or captured
MAX_DIGITS = 4000  # digits in a number a template makes (Python will not print past 4300)
MAX_BITS = int(MAX_DIGITS * 3.33)

# what a template may call on a plain value: methods whose results the sandbox sizes (a string's encode
# gave bytes, which nothing sized; translate and expandtabs grew a string before any check)
_TEXT_METHODS = frozenset({
    "lower", "upper", "title", "capitalize", "casefold", "swapcase", "strip", "lstrip", "rstrip", "startswith",
    "endswith", "split", "rsplit", "splitlines", "partition", "rpartition", "removeprefix", "removesuffix",
    "replace", "join", "format", "center", "ljust", "rjust", "zfill", "count", "find", "rfind", "index", "rindex",
    "isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isspace", "islower", "isupper", "istitle",
    "striptags", "unescape"})
_PLAIN_METHODS = ((str, _TEXT_METHODS), (bytes | bytearray, frozenset()),
                  (dict, frozenset({"items", "keys", "values", "get"})), (list | tuple, frozenset({"index", "count"})),
                  (bool | int | float | complex, frozenset({"real", "imag"})))


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text_size(value, limit: int) -> int:
    """How long ``str(value)`` would be, worked out without making it, counted only as far as past ``limit``:
    [[0] * 99999] * 99999 is 99 999 items of 99 999 each, and printed, 10^10 characters."""
    size, stack = 0, [value]
    while stack and size <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes | bytearray):
            size += len(item) + 3
        elif _whole(item):
            size += item.bit_length() * 31 // 100 + 2
        elif isinstance(item, bool | float | complex) or item is None:
            size += 24
        elif isinstance(item, list | tuple | set | frozenset):
            size += 2 + 2 * len(item)
            stack.extend(item)
        elif isinstance(item, dict):
            size += 2 + 4 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, KeysView | ValuesView | ItemsView):  # a mapping's view prints what it holds
            size += 20 + 4 * len(item)
            stack.extend(item)
        elif isinstance(item, Namespace):  # and so does a template's namespace(...)
            held = getattr(item, "_Namespace__attrs", {})
            size += 20 + 4 * len(held)
            stack.extend(held.keys())
            stack.extend(held.values())
        else:  # an object the build hands (a heading, the page options): its text is its fields'
            size += 100
    return size


def _sized(parts, limit: int) -> None:
    """Refuse parts whose text together would pass ``limit``, before any is made text."""
    if sum(_text_size(p, limit) for p in parts) > limit:
        raise SecurityError(f"a template may not build a value longer than {limit}")


def _checked_value(value, limit: int) -> None:
    """A value a call or an operator made, refused past the size limit: a string, bytes, a collection, a number."""
    if isinstance(value, str | bytes | bytearray | list | tuple | dict | set) and len(value) > limit:
        raise SecurityError(f"a template may not build a value longer than {limit}")
    if _whole(value) and value.bit_length() > MAX_BITS:
        raise SecurityError(f"a template may not make a number of more than {MAX_DIGITS} digits")


def _replace_size(text, old="", new="", count=-1, *, limit: int) -> None:
    """Refuse a replace whose result would pass the limit, before it is made (an empty ``old`` puts ``new``
    between every two characters)."""
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        grows = len(new) - len(old)
        places = text.count(old) if old else len(text) + 1
        if len(text) + places * max(grows, 0) > limit:
            raise SecurityError(f"a template may not build a value longer than {limit}")


def _percent_widths(text: str, limit: int) -> None:
    """Refuse a % format whose width or precision passes the limit, or is taken from an argument (*)."""
    for width in re.findall(r"%[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?", text):
        if "*" in width or any(w and int(w) > limit for w in width):
            raise SecurityError(f"a template may not format a value wider than {limit}")


# the filters that make the value they are given text, whatever it is (str() of a list of lists first): each
# such value is measured before (attack 21: (["x"*99999]*9000)|wordcount made 900 million characters)
_TEXT_FILTERS = {"do_capitalize", "do_center", "escape", "do_forceescape", "do_format", "do_indent", "do_lower",
                 "do_replace", "do_mark_safe", "soft_str", "do_striptags", "do_title", "do_trim", "do_truncate",
                 "do_upper", "do_urlencode", "do_urlize", "do_wordcount", "do_wordwrap", "do_xmlattr",
                 "do_filesizeformat", "do_pprint", "do_tojson", "do_float", "do_int", "do_list", "do_reverse",
                 "caption", "primes", "paragraph", "prose"}
# the filters that may copy every string of what they are given (sorted without case: each lower-cased)
_COPYING_FILTERS = {"do_sort", "do_dictsort", "do_unique", "do_groupby", "do_max", "do_min"}
_SIZED_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}  # a string's methods given a width
_SIZED_FILTERS = {"do_center", "do_indent", "do_batch", "do_slice", "do_wordwrap", "do_truncate",
                  "do_tojson"}  # a width or count


def _no_huge_number(args, kwargs, limit: int) -> None:
    """Refuse a call given an integer past the size limit: a width (center, ljust, indent, zfill), a count
    (batch, slice) or a length that would build a value that large before any check of the result."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > limit:
            raise SecurityError(f"a template may not ask for a width or count over {limit}")


def _joined_items(items, separator: str, limit: int) -> list:
    """The items a join would join, read one at a time and refused as soon as the joined text would pass the
    limit: [s] * 100000 joined is 10^10 characters, made before the result could be checked."""
    kept, size = [], 0
    for item in items:
        size += _text_size(item, limit) + (len(separator) if kept else 0)
        if size > limit:
            raise SecurityError(f"a template may not build a value longer than {limit}")
        kept.append(item)
    return kept


_FORMAT_FIELD = re.compile(r"\{[^{}]*?:([^{}]*)\}|\{[^{}]*\{")


def _format_widths(text: str, limit: int) -> None:
    """Refuse a str.format whose fields ask for a width or precision past the limit, or take one from an
    argument ({:{}}), before the string is made."""
    for m in _FORMAT_FIELD.finditer(text):
        if m.group(1) is None or any(int(n) > limit for n in re.findall(r"\d+", m.group(1))):
            raise SecurityError(f"a template may not format a value wider than {limit}")


def _at_run_time(f):
    """A filter Jinja cannot work out while it compiles: it folds a filter given constants ("x" | indent(99999))
    into the compiled template, in the process that compiles it, unless the filter asks for the context. Asking
    for it, the filter runs with the template, in a worker, under its budget and memory cap."""
    kind = getattr(f, "jinja_pass_arg", None)

    @functools.wraps(f)
    def run(context, *args, **kwargs):
        first = {_PassArg.context: (context,), _PassArg.eval_context: (context.eval_ctx,),
                 _PassArg.environment: (context.environment,)}.get(kind, ())
        return f(*first, *args, **kwargs)

    return pass_context(run)


def _grown(f, args: tuple, kwargs: dict, passes: int, limit: int) -> None:
    """Refuse, before it is made, a result that text times a count would make too long: each line indented
    by a long string, a long wrapstring after each wrapped line, tojson's indent at each level."""
    name, rest = f.__name__, args[passes:]
    if name not in ("do_indent", "do_wordwrap", "do_tojson") or len(args) < passes:
        return
    value = args[passes - 1]
    if name == "do_tojson":
        indent = rest[0] if rest else kwargs.get("indent")
        if not isinstance(indent, int) or isinstance(indent, bool) or indent <= 0:
            return
        items, deepest, stack = 0, 0, [(value, 1)]
        while stack and items * indent * deepest <= limit:  # each item on a line of its own, indented by its depth
            item, depth = stack.pop()
            items, deepest = items + 1, max(deepest, depth)
            if isinstance(item, dict):
                stack.extend((v, depth + 1) for v in item.values())
            elif isinstance(item, list | tuple):
                stack.extend((v, depth + 1) for v in item)
        grows = items * indent * deepest
    else:
        text = value if isinstance(value, str) else ""
        if name == "do_indent":
            width = rest[0] if rest else kwargs.get("width", 4)
            per_line = width if isinstance(width, int) else len(str(width))
            grows = (text.count("\n") + 1) * max(per_line, 0)
        else:
            width = rest[0] if rest else kwargs.get("width", 79)
            wrap = rest[2] if len(rest) > 2 else kwargs.get("wrapstring") or "\n"
            grows = (len(text) // max(width if isinstance(width, int) else 1, 1) + 1) * len(str(wrap))
    if grows > limit:
        raise SecurityError(f"a template may not build a value longer than {limit}")


def _bounded(f, limit: int, env=None):
    """A filter whose result is refused past the size limit (center, indent, replace, join ...), and counted
    among the text the page made (``env``)."""
    passes = 1 + (getattr(f, "jinja_pass_arg", None) is not None)  # the value filtered (and a context) first

    @functools.wraps(f)
    def bounded(*args, **kwargs):
        if f.__name__ in _COPYING_FILTERS and len(args) >= passes:  # sort's lower-cased keys, each a copy
            _sized([args[passes - 1]], WRITTEN_LIMIT)
        if f.__name__ in _SIZED_FILTERS:  # center(10**9), batch(10**9): refused before they are made
            _no_huge_number(args[passes:], kwargs, limit)
        _grown(f, args, kwargs, passes, limit)
        if f.__name__ == "do_replace" and len(args) >= 4:  # (eval_ctx, text, old, new): checked before, like str's
            _replace_size(str(args[1]), str(args[2]), str(args[3]), limit=limit)
        if f.__name__ == "do_join" and len(args) >= 2:  # (eval_ctx, items, separator=""): each item measured first
            separator = str(args[2]) if len(args) > 2 else str(kwargs.get("d", ""))
            attribute = args[3] if len(args) > 3 else kwargs.pop("attribute", None)
            items = args[1]
            if attribute is not None:  # join(attribute=...): the attributes are what is joined, measured so
                from jinja2.filters import make_attrgetter

                items = map(make_attrgetter(args[0].environment, attribute), items)
            args = (args[0], _joined_items(items, separator, limit), *args[2:3])
        if f.__name__ in _TEXT_FILTERS and len(args) >= passes and not isinstance(args[passes - 1], str):
            _sized([args[passes - 1]], limit)  # turned to text (a list of lists, upper-cased): measured first
        if f.__name__ == "do_round":  # round(5, -10**9) works out 10^(10^9) first
            precision = args[passes] if len(args) > passes else kwargs.get("precision", 0)
            if not isinstance(precision, int) or abs(precision) > 100:
                raise SecurityError("round takes a precision of at most 100 places")
        if f.__name__ == "do_sum":  # sum(start=[]) joins lists, the longer with each one: numbers only
            start = args[passes + 1] if len(args) > passes + 1 else kwargs.get("start", 0)
            if not isinstance(start, int | float):
                raise SecurityError("sum adds numbers: its start must be a number")
        if f.__name__ == "do_format" and len(args) >= 1:  # "%s%s…"|format(s, s, …): the arguments measured first
            _sized(list(args) + list(kwargs.values()), limit)
        if f.__name__ == "do_format" and args and isinstance(args[0], str):  # "%09999999d"|format(1)
            _percent_widths(args[0], limit)
        try:
            value = f(*args, **kwargs)
        except (OverflowError, ValueError) as exc:
            if f.__name__ not in ("do_int", "do_float"):
                raise
            raise SecurityError(f"{f.__name__[3:]} cannot make a number of that ({excerpt(str(exc), 40)})") from None
        _checked_value(value, limit)  # a string, a list, or a number past 4000 digits (int of 99 999 hex digits)
        if env is not None:
            env.made(value)
        return value

    return bounded


class _CheckedConcat(CodeGenerator):
    """Jinja's code generator with ``~`` sent through the sandbox's size check."""

    def visit_Concat(self, node, frame):
        self.write("environment.checked_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


@lru_cache(maxsize=8)
def environment(template_dir: Path | None = None) -> Environment:
    """The Jinja environment: a user's template folder first, then the built-in one (compiled once).

    With a user's folder the environment is sandboxed (``TemplateSandbox``): a template from someone
    else can show the data it is given, but not reach Python's internals, read a file outside its
    folder or build a huge value; the build runs it in worker processes, under a time budget and the
    workers' memory cap.
    """
    search = [str(template_dir)] if template_dir is not None else []
    kind = Environment if template_dir is None else TemplateSandbox
    env = kind(loader=FolderLoader(search + [str(templates_dir())]), autoescape=True,
               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["caption"] = caption
    env.filters["primes"] = segments.primes
    env.filters["paragraph"] = segments.paragraph
    env.filters["prose"] = segments.prose  # a primer's paragraph with its $math$, as segments
    if isinstance(env, TemplateSandbox):  # ours too: measured, and run with the template, as Jinja's are
        for name in ("caption", "primes", "paragraph", "prose"):
            env.filters[name] = _at_run_time(_bounded(env.filters[name], env.LIMIT, env))
    env.globals["work_cm"] = work_cm
    env.globals["answer_lines"] = answer_lines
    env.globals["derivative_table"] = derivative_table
    env.globals["derived_in"] = derived_in
    env.globals["left_blank"] = left_blank
    env.globals["derived_at_end"] = derived_at_end
    env.globals.update(filled_table=filled_table, points=points, section_points=section_points,
                       total_points=total_points, copy_points=copy_points, key_cell=key_cell, stars_marked=stars_marked, marks_of=marks_of,
                       points_per_star=POINTS_PER_STAR, work_per_point=WORK_PER_POINT, long_work=LONG_WORK)
    env.globals["segments_html"] = segments.page  # one walker over segments; the template only calls it
    env.globals["again"] = segments.again
    if kind is Environment:  # a sandboxed template gets these per document, for its own problems only (render_html)
        env.globals["practice_data"] = practice_data
        env.globals["practice_json"] = practice_json
    env.globals["practice_script"] = lambda: Markup(practice_script())  # ours always: a page's policy admits no other
    return env


@lru_cache(maxsize=1)
def practice_script() -> str:
    """The practice page's own script, the built-in one (a template folder cannot replace it), with the expression
    language's look-alike characters and other spellings of functions put in, so that the page names the one to
    type, and reads sh as no product of s and h, as workbook solve does."""
    from workbook.expr import _LOOKALIKES, _SPELLINGS

    script = (templates_dir() / "interactive.js").read_text(encoding="utf-8")
    script = script.replace("const SPELLINGS = {};", f"const SPELLINGS = {json.dumps(_SPELLINGS, sort_keys=True)};", 1)
    return script.replace("const LOOKALIKES = {};", f"const LOOKALIKES = {json.dumps(_LOOKALIKES, sort_keys=True)};", 1)


# one formula (never from one to a later one: read39 found "Start with ∂f/∂f = 1 ..." glued whole, off the page's edge)
_MATH_THEN_MARK = re.compile(r"(<math\b[^>]*>(?:(?!</math>).)*</math>)([;:,.!?)\]]+)", re.DOTALL)
_SCRIPT = re.compile(r"(<script\b.*?</script>)", re.DOTALL | re.IGNORECASE)


def glued(page: str) -> str:
    """The page with each formula kept on one line with the marks that follow it: a browser may break a
    line after a formula (an atomic inline), and Chromium set the semicolon of "… = c n xⁿ⁻¹; constant terms
    give 0." alone at the start of the next line (read38). Scripts are left as they are."""
    parts = _SCRIPT.split(page)
    return "".join(part if i % 2 else _MATH_THEN_MARK.sub(r'<span class="glued">\1\2</span>', part)
                   for i, part in enumerate(parts))


def with_policy(page: str) -> str:
    """The page with a Content-Security-Policy first of all, so that however it was written (a user's
    templates too) a browser loads nothing from anywhere, runs no script but the practice page's own
    (named by its digest), and frames, plugins, forms and base addresses are off. A built page holds
    everything it shows (styles inline, images as data: URLs), so the policy costs it nothing."""
    digest = base64.b64encode(hashlib.sha256(practice_script().encode("utf-8")).digest()).decode()
    policy = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; media-src data:; "
              f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'; frame-src 'none'; "
              "object-src 'none'; worker-src 'none'; manifest-src 'none'")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
    doctype = re.match(r"\s*<!doctype html>\s*", page, re.IGNORECASE)
    at = doctype.end() if doctype else 0  # before anything a template wrote but the doctype
    return page[:at] + meta + page[at:]


def practice_data(problem: dict) -> dict | None:
    """The interactive page's data for one problem (workbook/interactive.py), computed once."""
    from workbook import interactive

    key = json.dumps([problem.get("family"), problem.get("seed"), problem.get("claims"), problem.get("numeric")],
                     sort_keys=True, default=str)
    if key not in _PRACTICE:
        if len(_PRACTICE) > 512:
            _PRACTICE.clear()
        _PRACTICE[key] = interactive.page_data(problem)
    return _PRACTICE[key]


_PRACTICE: dict[str, dict | None] = {}


def practice_json(sections: list[dict]) -> Markup:
    """Every problem's page data by number, as JSON that is safe inside a script element."""
    data = {str(p["number"]): practice_data(p) for s in sections for p in s["problems"]}
    text = json.dumps({k: v for k, v in data.items() if v is not None}, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


_MINUS = re.compile(r"(?<![\w.])-(?=\.?\d)")  # "-1", "(-0.5": not "2-2-1" or "x-axis"
_SLASH = re.compile(r"(?<=\w)/(?=\w)")  # dy/du2 stays whole: a word joiner after the slash
_POINT = re.compile(r"\((\u2212?[\d.]+(?:, \u2212?[\d.]+)+)\)")


WORK_LINE_CM = 0.75  # one ruled line of the work space
WORK_CM = (3.0, 18.0)  # the least and the most room a problem is given
_MATRIX = re.compile(r"\\begin\{([pbvB]?matrix)\}(.*?)\\end\{\1\}", re.DOTALL)


def written_lines(latex: str) -> int:
    """The lines a student takes to write a displayed line of working: one for each result set side by side
    (``\\quad`` between them), and one for each row of a matrix of more than one column in it."""
    lines = 0
    for piece in re.split(r"\\q?quad", latex):
        if piece.strip(" ,;.\\"):
            lines += max([1] + [m.group(2).count("\\\\") + 1 for m in _MATRIX.finditer(piece) if "&" in m.group(2)])
    return max(lines, 1)


CELLS_A_LINE = 3  # the results of a worked table's row a student writes on one line of working


def work_cm(problem: dict) -> float:
    """Room for a problem's working, sized from its worked solution: the lines a student writes for each
    displayed line of working (written_lines) and for each table row, a line for every CELLS_A_LINE of its cells
    (but the table the prompt has a learner fill in: the same head), two more to start and one for the answer,
    within WORK_CM. A network's forward table is worked in the room, six results in one row (a line a row gave
    the 2-2-1 network less room than one neuron's loss: read33); only its table of gradients is filled in."""
    filled_in = [part["table"]["head"] for part in problem.get("prompt", ())
                 if "table" in part and part["table"].get("blank")]
    lines = 3
    for step in problem.get("steps", ()):
        lines += written_lines(step["math"]) if step.get("math") else 0
        lines += sum(1 + sum(-(-len(row) // CELLS_A_LINE) for row in part["table"]["rows"])
                     for part in step.get("say", ()) if "table" in part and part["table"]["head"] not in filled_in)
    return min(max(WORK_LINE_CM * lines, WORK_CM[0]), WORK_CM[1])


MOST_ANSWER_LINES = 4  # with 12, a 2-2-1 network no longer stood on one page with its room (test_layout)
ANSWER_LINE_CHARS = 56  # the plain text one ruled answer line holds, across the sheet's width by hand


def derivative_table(sections) -> list[tuple[str, str]]:
    """The rules the worked solutions quote from a table, for the cover to print (workbook.quoted)."""
    from workbook import quoted

    return quoted.rows(sections)


def derived_at_end(sections) -> list[dict]:
    """The table's rules no practice problem derives, each with its derivation, for the end of the solutions
    book (workbook.quoted)."""
    from workbook import quoted

    return quoted.derived_at_end(sections)


def derived_in(sections) -> dict[str, list[int]]:
    """The problems that derive a rule of that table from its definition, by the rule (workbook.quoted)."""
    from workbook import quoted

    return quoted.derived_in(sections)


def left_blank(sections) -> set[str]:
    """The rules a worksheet's table leaves for the learner to write in once derived (workbook.quoted)."""
    from workbook import quoted

    return quoted.left_blank(sections)


def answer_lines(problem: dict) -> int:
    """Lines to write a problem's answer on, 7 mm apart: each part of its answer (the key parts them with a
    semicolon: a network's outputs; its loss; its gradients; its weights after the step) takes the lines its
    text needs, each as many as the rows of its tallest matrix, at most MOST_ANSWER_LINES. A problem that
    asks for four things had one line for all of them, and a 2 × 3 matrix one line (read20, read22). The parts
    a table to fill in holds (its ``holds``: a network's gradients and stepped weights) are written there."""
    from workbook.segments import plain

    parts: list[list[dict]] = [[]]
    for seg in problem.get("answer", ()):
        text, math = seg.get("text"), seg.get("math")
        if text is not None and ";" in text:
            before, *rest = text.split(";")
            parts[-1].append({"text": before})
            parts += [[{"text": piece}] for piece in rest]
        elif math is not None and PART_MARK in math:
            first, *rest = _parts_of(math)
            parts[-1].append({"math": first})
            parts += [[{"math": piece}] for piece in rest]
        else:
            parts[-1].append(seg)
    held = max((seg["table"].get("holds", 0) for seg in problem.get("prompt", ())
                if "table" in seg and seg["table"].get("blank")), default=0)
    if held:
        parts = parts[:-held]
    lines = 0
    for part in parts:
        chars = len(plain(part).strip())
        if not chars:
            continue
        rows = max((1 + m.count(r"\\") for seg in part for _, m in _matrices(seg.get("math", ""))), default=1)
        lines += -(-chars // ANSWER_LINE_CHARS) * rows
    return min(max(lines, 1), MOST_ANSWER_LINES)


def _parts_of(math: str) -> list[str]:
    """A formula cut where it sets two results apart (``,\\quad`` outside every brace and bracket): a loss's
    ∂L/∂w and ∂L/∂b are two things asked for, and had one answer line between them (read45)."""
    pieces, depth, start, i = [], 0, 0, 0
    while i < len(math):
        for word, step in ((r"\left", 1), (r"\right", -1)):  # with its bracket: \left( is one opening
            if math.startswith(word, i):
                depth, i = depth + step, i + len(word) + 1
                break
        else:
            if depth == 0 and math.startswith(PART_MARK, i):
                pieces.append(math[start:i])
                start = i = i + len(PART_MARK)
                continue
            depth += (math[i] in "{([") - (math[i] in "})]")
            i += 1
    return [*pieces, math[start:]]


PART_MARK = r",\quad"


def _matrices(math: str) -> list[str]:
    """The bodies of a formula's matrices (pmatrix, bmatrix, matrix) and cases, for their rows: a slope given
    by cases is written a case a line."""
    return re.findall(r"\\begin\{([pbv]?matrix|cases)\}(.*?)\\end\{\1\}", math, flags=re.DOTALL)


POINTS_PER_STAR = 2  # the key's marks: a problem's stars follow its work (tests/test_bank.py), and so do these
LONG_WORK, WORK_PER_POINT = 40, 20  # past three stars' work: a point more for each 20 results past 40


def points(problem: dict, section: dict) -> int:
    """The marks a problem is worth: its section's ``points``, else two a star, and one more for each
    WORK_PER_POINT results its worked solution writes past LONG_WORK (the XOR capstone's 127 were worth
    the 6 marks of one optimizer's table: read22 to read25)."""
    given = section.get("points")
    if given is not None:
        return int(given)
    return POINTS_PER_STAR * int(problem.get("difficulty", 1)) + max(0, results_written(problem) - LONG_WORK) // WORK_PER_POINT


def results_written(problem: dict) -> int:
    """The results a worked solution writes down: each equation or approximation of its displayed lines, and
    each value of a table it works out."""
    count = 0
    for step in problem.get("steps", ()):
        count += len(re.findall(r"(?<![<>\\!])=|\\approx|\\leq|\\geq", step.get("math") or ""))
        count += sum(len(row) - 1 for part in step.get("say", ()) if "table" in part for row in part["table"]["rows"])
    return count


class _Marks(dict):
    """Each problem's marks by its number, and called with a problem, that problem's own: a teacher's key lists every
    version's problem 7, and by number the last version's marks stood for all (B's Adam problem, 6 points in B's own
    key, was marked 4, C's RMSprop's, and its section's marks did not add up: user47 F1)."""

    def __init__(self, sections: list[dict]):
        super().__init__((p["number"], points(p, s)) for s in sections for p in s["problems"])
        self._own = {id(p): points(p, s) for s in sections for p in s["problems"]}

    def __call__(self, problem: dict) -> int:
        return self._own[id(problem)]


def marks_of(sections: list[dict]) -> _Marks:
    """Each problem's marks, for a key that lists problems of several sections: ``marks(problem)`` (or, where
    numbers are not repeated, ``marks[number]``)."""
    return _Marks(sections)


def section_points(section: dict) -> int:
    return sum(points(p, section) for p in section["problems"])


def total_points(sections: list[dict]) -> int:
    return sum(section_points(s) for s in sections)


def copy_points(sections: list[dict]) -> list[int]:
    """In a teacher key, each version's or student's total, the different ones from least to most: the sum over
    the class, 6000 points for 300 sheets of 20, was no number a teacher could use (user50 F5)."""
    totals: dict[str, int] = {}
    for section in sections:
        totals[section.get("copy", "")] = totals.get(section.get("copy", ""), 0) + section_points(section)
    return sorted(set(totals.values()))


def stars_marked(sections: list[dict]) -> str:
    """Whether the key's marks come from stars: "all", "some" (the sections without ``points``) or ""."""
    by_stars = [s.get("points") is None for s in sections]
    return "all" if all(by_stars) else "some" if any(by_stars) else ""




def key_cell(problem: dict) -> str:
    """The key's grid: one answer a row ("whole"), whatever its length, so that every number and every answer
    stands in one column (three short answers a row beside long ones read as ragged: read22 to read24). A
    template of one's own may still tell answers apart by ``problem``."""
    problem["answer"]  # a value of another kind ({{ key_cell(1) }}) is said with its template's line
    return "whole"


def filled_table(problem: dict) -> dict | None:
    """The table a problem's prompt leaves blank, as its worked solution fills it in: the key prints it,
    so that each cell a learner fills can be marked (not only the last value)."""
    blank = next((p["table"] for p in problem.get("prompt", ()) if "table" in p and p["table"].get("blank")), None)
    if blank is None:
        return None
    for step in problem.get("steps", ()):
        for part in step.get("say", ()):
            table = part.get("table")
            if table and table["head"] == blank["head"] and len(table["rows"]) == len(blank["rows"]):
                return table
    return None


# A variable named in a caption, set in italic as the page's math sets it: a letter standing alone (not "a",
# "A" or "I", words of their own, unless "a =" or "(a)" names a value), or with its index (w₁ as in 0.1w₁², u1);
# never a letter of a word, a quotient's dy/du2, or the x of "x-axis"
_VARIABLE = re.compile(r"(?<![A-Za-z_\u03b1-\u03c9'\u2032.\-/])(?:a(?=\s?=[^=]|[,)])|(?![aAI]\b)[A-Za-z\u03b1-\u03c9]"
                       r"[\u2080-\u20890-9]*)(?![A-Za-z_\u03b1-\u03c9'\-/]|\u2060)")


def caption(text: str) -> Markup:
    """A figure's alt text as its printed caption: a true minus sign before a number, 2·u1 and x^2 for
    SymPy's 2*u1 and x**2, a quotient such as dy/du2 and a point such as (2, −1) kept on one line, and each
    variable named in italic (_VARIABLE: "near x = 2", "lines of f", "0.1w₁²")."""
    text = _MINUS.sub("\u2212", segments.primes(text))
    text = _SLASH.sub("/\u2060", text.replace("**", "^").replace("*", "\u00b7"))
    text = _POINT.sub(lambda m: "(" + m.group(1).replace(", ", ",\u00a0") + ")", text)
    out, start = [], 0
    for m in _VARIABLE.finditer(text):
        out += [escape(text[start:m.start()]), Markup("<i>"), escape(m.group()), Markup("</i>")]
        start = m.end()
    return Markup("").join([*out, escape(text[start:])])


# The column left of a figure.beside, in the steps' em (10pt): on A4, 174 mm less the figure (7.2 cm
# and its 1em margin), the steps' 2.2em and the display's 0.4em. Measured with WeasyPrint: a formula
# 25.5em wide at the top level was pushed below the figure, one of 25.1em was not; Letter is 5.9 mm
# (1.67em) wider, and there the 25.5em formula fits. A step nested one level deeper starts 2em
# further in, each level after that 1.2em more.
BESIDE_EM = {"A4": 24.9, "Letter": 26.5}
INLINE_MOST_EM = 30.0  # an inline formula wider than this is set a term at a time (a line of A4 holds about 36 em)


def _sum_parts(latex: str) -> list[str]:
    """A formula split before each + or - between terms at its top level (outside braces and brackets, \\left( and
    \\right) among them), each later part keeping its sign: "f(x) = 2x + 2 \\sin(...) - 3" as "f(x) = 2x",
    "+ 2 \\sin(...)", "- 3"."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(latex):
        if ch in "{([" or latex.startswith("\\begin", i):
            depth += 1
        elif ch in "})]" or latex.startswith("\\end", i):
            depth -= 1
        elif depth == 0 and latex[i - 1:i + 2] in (" + ", " - ") and i - 1 > start:
            parts.append(latex[start:i - 1].strip())
            start = i
    parts.append(latex[start:].strip())
    return [p for p in parts if p]
DEPTH_EM = (0.0, 2.0, 3.2, 4.4, 5.6, 6.8, 6.8)
# The whole column a top-level step's formula has, with no figure beside it: BESIDE_EM and the figure's
# 7.2 cm and 1em, less the 1.6em a worked example's frame takes (tests/test_layout.py lays out every
# displayed formula and fails on one shrunk to fit)
COLUMN_EM = {paper: em + 72 / (10 * 25.4 / 72) + 1 - 1.6 for paper, em in BESIDE_EM.items()}


def _top_level(latex: str, separator: str) -> list[tuple[int, int]]:
    """Where ``separator`` (a regular expression) matches ``latex`` outside any braces, parentheses or
    \\left...\\right pair (a value f(11.5, 6.5) was split after its first argument: read22)."""
    found, depth = [], 0
    for m in re.finditer(r"\\left\b|\\right\b|(?<!\\)[{}()]|" + separator, latex):
        token = m.group()
        if token in ("{", "(", "\\left"):
            depth += 1
        elif token in ("}", ")", "\\right"):
            depth -= 1
        elif depth == 0:
            found.append(m.span())
    return found


def _top_level_parts(latex: str) -> list[str]:
    """A formula's parts set side by side, split at its separators (",\\quad" or "\\quad"); the commas go
    with the parts they end."""
    parts, start = [], 0
    for a, b in _top_level(latex, r",?\\q?quad\b\s*"):
        parts.append(latex[start:a] + ("," if latex[a] == "," else ""))
        start = b
    return [p.strip() for p in (*parts, latex[start:]) if p.strip()]


def _list_parts(latex: str) -> list[str]:
    """A list of results a, b, c (commas followed by a space, "\\ " or "\\,") split after each comma, the
    comma kept with the item it ends; a part is a list only where a comma stands outside any braces."""
    parts, start = [], 0
    for _, b in _top_level(latex, r"(?<!\\),(?:\\[ ,;]|\s)+"):  # (not the comma of a thin space, "\,")
        parts.append(latex[start:b].rstrip().removesuffix("\\").rstrip())
        start = b
    return [p.strip() for p in (*parts, latex[start:]) if p.strip()]


def _equals_parts(latex: str) -> list[str]:
    """A chain of equalities a = b = c split before each = (the later parts start with it)."""
    cuts = [a for a, _ in _top_level(latex, r"=")]
    return [latex[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(latex)], strict=True) if latex[a:b].strip()]


CONTINUED_EM = 2.0  # how far a line that goes on a chain of equalities ("= ...") is set in (print.css)


TEMPLATES = ("worksheet.html", "answers.html", "solutions.html", "practice.html", "interactive.html")


class _BytecodeCache(BytecodeCache):
    """Jinja's compiled templates, kept in the signed content cache (build/.cache/templates).

    Compiled code is loaded only from an entry this user's own build signed (cache.Store), never
    from a file someone else put there; one that cannot be written is only slower.
    """

    def __init__(self, root: Path):
        self.store = Store(root, "templates")

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.store.read(bucket.key, "jinja")
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store.write(bucket.key, "jinja", bucket.bytecode_to_string())


def warm_up(cache_root: Path | None = None, template_dir: Path | None = None) -> None:
    """Compile the templates now, in this process, so that worker processes forked after it start
    with them compiled (compiling costs about half a second). The compiled code is kept in the
    content cache for the next build; a user's own templates are compiled afresh each time."""
    env = environment(template_dir)
    if cache_root is not None and template_dir is None:
        env.bytecode_cache = _BytecodeCache(cache_root)  # this build's cache, not a former build's
    for name in TEMPLATES:
        env.get_template(name)
    if template_dir is not None:  # and every page it may include that the folder holds: a pipe under a partial's name
        # is said before anything is drawn, not once the pages are filled in (attack48 F3)
        for path in sorted(templates_dir().rglob("*")):
            name = path.relative_to(templates_dir()).as_posix()
            if name.endswith(FolderLoader.SUFFIXES) and name != "print.css" and os.path.lexists(template_dir / name):
                env.loader.get_source(env, name)


def _figures():
    """workbook.figures, imported where a figure is first needed: a build that shows none (a quiz of
    derivatives) never loads matplotlib, 0.3 s a process."""
    from workbook import figures

    return figures


def figure_digest(spec: dict, fmt: str) -> str:
    """A figure's name in the content cache: its spec, its format, and the drawing code's version."""
    return digest(_figures().VERSION, fmt, repr(sorted(spec.items())))


class Assets:
    """Math and figures for one medium: inline for HTML; for PDF, files in a confined folder, or in a dict
    that stands for one (name to bytes: the build's, which nothing but WeasyPrint reads)."""

    def __init__(self, medium: str, folder: Path | dict[str, bytes] | None, cache: mathtex.SVGCache, timings: dict,
                 figures: dict[str, str] | None = None):
        self.medium, self.folder, self.cache, self.timings = medium, folder, cache, timings
        self.figures: dict[str, str] = {} if figures is None else figures  # shared by both media
        self.figure_store = Store(cache.root, "figures")  # beside the math, in the same content cache
        self.both = False  # whether both media are written: a figure drawn for one is drawn for the other too

    def math(self, latex: str, display: bool = False) -> Markup:
        start = time.perf_counter()
        try:
            if self.medium == "html":  # display math stays left-aligned, in display style
                shown = r"\displaystyle " + latex if display else latex
                return Markup(mathtex.to_mathml(shown))
            drawn = self.cache.get(latex, display)
            if not display and drawn.width > INLINE_MOST_EM and len(parts := _sum_parts(latex)) > 1:
                # a sum wider than the column, in a sentence: a piece a term, so that the line breaks between them
                # (a 374-character f(x) was cut at the page's edge, then shrunk to 3 pt: attack25)
                return Markup(" ".join(self.math(part) for part in parts))
            name = self._write("m", drawn.svg)
            cls = "math display" if display else "math"
            return Markup(f'<img class="{cls}" src="{name}" style="{drawn.style()}" alt="{escape(latex)}">')
        finally:
            self.timings["math"] = self.timings.get("math", 0.0) + time.perf_counter() - start

    def lines(self, latex: str, depth: int = 0, paper: str = "A4", beside: bool = False) -> list[str]:
        """A step's displayed formula as the lines it prints on: whole where it fits the column (the one left
        of a figure floated ``beside`` the steps, else the whole text column), else broken between the parts
        set side by side, and a part still too wide before the = of its chain, as many a line as fit (a line
        that goes on a chain starts with its =, and is set in CONTINUED_EM). In print a wider formula would
        be shrunk to fit (Adam's six update rules printed at 6 pt); on a screen it was kept whole, and the
        result of a long step was off the page's edge, reached by scrolling sideways (read35b): broken the same way."""
        column = (BESIDE_EM if beside else COLUMN_EM)[paper] - DEPTH_EM[min(depth, 6)]

        def fits(line: str) -> bool:
            return self.cache.get(line, True).width <= column - (CONTINUED_EM if line.startswith("=") else 0)

        if fits(latex):
            return [latex]
        out: list[str] = []

        def add(piece: str, glue: str) -> None:  # onto the last line where it fits, else a line of its own
            if out and fits(f"{out[-1]}{glue}{piece}"):
                out[-1] = f"{out[-1]}{glue}{piece}"
            else:
                out.append(piece)

        chained = False  # whether the last line ends a chain broken over lines: nothing more goes on it
        for part in _top_level_parts(latex):
            items = [part] if fits(part) else _list_parts(part)
            for k, item in enumerate(items):
                glue = "\\quad " if k == 0 else "\\ "
                if fits(item):
                    if chained:
                        out.append(item)
                    else:
                        add(item, glue)
                    chained = False
                    continue
                chained = True
                for i, piece in enumerate(_equals_parts(item)):  # a chain of equalities too wide alone: on lines
                    if i:  # of its own ("θ₂" was left at the end of the line before, its chain below)
                        add(piece, " ")
                    else:
                        out.append(piece)
        return out

    def beside(self, problem: dict, paper: str) -> bool:
        """Whether a problem's figure may float beside its steps: only when it prints BESIDE_CM wide without
        shrinking its text, and every displayed formula fits the column left of it. A wider formula would be
        pushed below the figure, leaving a hole in the page."""
        if problem.get("figure") and _figures().wide(self.figure_cm(problem["figure"])):
            return False
        column = BESIDE_EM[paper]
        for step in problem.get("steps", ()):
            if step.get("math"):
                depth = step.get("depth", 0)
                lines = self.lines(step["math"], depth, paper, beside=True) if self.medium != "html" else [step["math"]]
                for line in lines:  # broken between its parts where it can be; a part too wide still sends it below
                    indent = CONTINUED_EM if line.startswith("=") and len(lines) > 1 else 0.0
                    if self.cache.get(line, True).width + DEPTH_EM[min(depth, 6)] + indent > column:
                        return False
        return True

    def figure(self, spec: dict, where: str = "beside") -> Markup:
        """SVG for the HTML (sharp at any zoom); PNG at print resolution for the PDF, which WeasyPrint
        lays out ten times faster than matplotlib's SVG. It prints figures.printed_cm wide for its place
        (sheet, beside, below): never narrower than it was drawn, so its text prints at the size set."""
        start = time.perf_counter()
        try:
            data, fmt = self._figure_data(spec)
            if self.medium == "html":
                src = "data:image/svg+xml;base64," + base64.b64encode(data).decode()
            else:
                src = self._write("f", data, "png")
            natural = _figures().natural_cm(data, fmt)
            wide = " wide" if where != "sheet" and _figures().wide(natural) else ""
            return Markup(f'<img class="figure{wide}" src="{src}" style="width:{_figures().printed_cm(natural, where):.2f}cm" '
                          f'alt="{escape(segments.alt(spec["alt"]))}">')
        finally:
            self.timings["figures"] = self.timings.get("figures", 0.0) + time.perf_counter() - start

    def wide(self, problem: dict) -> bool:
        """Whether a problem's figure is too wide to print beside its steps (figures.wide): it goes above them."""
        return bool(problem.get("figure")) and _figures().wide(self.figure_cm(problem["figure"]))

    def figure_cm(self, spec: dict) -> float:
        """The width a figure was drawn at, in cm."""
        data, fmt = self._figure_data(spec)
        return _figures().natural_cm(data, fmt)

    def _figure_data(self, spec: dict) -> tuple[bytes, str]:
        fmt = "svg" if self.medium == "html" else "png"
        key = figure_digest(spec, fmt)
        data = self.figures.get(key)
        if data is None:
            data = self.figures[key] = self._cached_figure(key, spec, fmt)
        return data, fmt

    def prepare_figure(self, spec: dict, formats: list[str]) -> None:
        """Put the figure in the content cache in each format (svg, png), drawn once for all of them."""
        if self.figure_store.folder is None:
            return
        missing = [fmt for fmt in formats if not self.figure_store.path(figure_digest(spec, fmt), fmt).exists()]
        if not missing:
            return
        if len(missing) == 2:
            svg, png = _figures().figure_both(spec)
            self.figure_store.write(figure_digest(spec, "svg"), "svg", svg.encode())
            self.figure_store.write(figure_digest(spec, "png"), "png", png)
        else:
            self._cached_figure(figure_digest(spec, missing[0]), spec, missing[0])

    def _cached_figure(self, key: str, spec: dict, fmt: str) -> bytes:
        """A figure from the content cache (build/.cache/figures), drawn and stored if missing."""
        kept = self.figure_store.read(key, fmt)
        if kept is not None:
            return kept
        if self.both:  # the other medium shows it too: both drawn from one figure
            svg, png = _figures().figure_both(spec)
            drawn = {"svg": svg.encode(), "png": png}
            for each, data in drawn.items():
                self.figures[figure_digest(spec, each)] = data
                self.figure_store.write(figure_digest(spec, each), each, data)
            return drawn[fmt]
        data = _figures().figure_svg(spec).encode() if fmt == "svg" else _figures().figure_png(spec)
        self.figure_store.write(key, fmt, data)
        return data

    def _write(self, prefix: str, data: str | bytes, ext: str = "svg") -> str:
        data = data.encode() if isinstance(data, str) else data
        name = f"{prefix}-{hashlib.sha256(data).hexdigest()[:20]}.{ext}"
        if isinstance(self.folder, dict):
            self.folder.setdefault(name, data)
        elif not (self.folder / name).exists():
            (self.folder / name).write_bytes(data)
        return f"assets/{name}"  # laid out at VIRTUAL_BASE, where assets/ is this folder


# a URL or a path in a CSS string: scheme://..., javascript:/blob:/..., //host, /path, ../path
_ADDRESS = re.compile(r"\s*(?:[A-Za-z][A-Za-z0-9+.-]*://|(?:javascript|blob|about|filesystem|mailto):|//|/|\.\.?/)",
                      re.IGNORECASE)


def stylesheet_fetches(css: str) -> list[str]:
    """What a stylesheet would fetch: each @import and each url() that is not a data: URL, read with
    WeasyPrint's own CSS tokenizer (escapes such as u\\72l( are read as url( too)."""
    import tinycss2

    found: list[str] = []

    def walk(nodes) -> None:
        for node in nodes or ():
            if node.type == "at-rule" and node.lower_at_keyword == "import":
                found.append("@import " + tinycss2.serialize(node.prelude).strip())
            if node.type == "url" and not node.value.strip().lower().startswith("data:"):
                found.append(node.value)
            if node.type == "function" and node.lower_name in ("url", "src"):
                strings = [a.value for a in node.arguments if a.type == "string"]
                found.extend(v for v in strings if not v.strip().lower().startswith("data:"))
            if node.type == "function" and node.lower_name == "local":  # a font of this machine, fetched from it
                found.append("local(" + tinycss2.serialize(node.arguments).strip() + ")")
            elif node.type == "string" and _ADDRESS.match(node.value):
                found.append(node.value)  # url("..."), image-set("..."), src: "..." and whatever comes next
            for part in ("prelude", "content", "arguments"):
                walk(getattr(node, part, None))

    walk(tinycss2.parse_stylesheet(css))
    return found


def stylesheet_text(env: Environment) -> str:
    """print.css: a user's template folder's own if it has one, else the built-in one."""
    for folder in env.loader.searchpath[:-1]:
        override = Path(folder) / "print.css"
        if os.path.lexists(override):
            if not inside(override, Path(folder)):
                why = "not a file inside the template folder (a link out, a pipe or a device)"
                raise InputError([f"{printable(str(override))}: {why}"])
            if hard_link(override):
                raise InputError([f"{printable(str(override))}: {HARD_LINK}"])
            css = read_text(override, "stylesheet")
            if "<" in css:  # inlined in the page's <style>: "</style><script>" would end it and start markup
                raise InputError([(f"{printable(str(override))}: it holds '<' (at character {css.index('<') + 1}); "
                                  "a stylesheet is inlined in the page and may hold no markup: write \\3C in a "
                                  "string if you need the character")])
            fetched = stylesheet_fetches(css)
            if fetched:
                raise InputError([(f"{printable(str(override))}: it asks to fetch {excerpt(fetched[0])}; a stylesheet "
                                  "may fetch nothing (no @import, no local() font, no url() but data:)")])
            return css
    return (templates_dir() / "print.css").read_text(encoding="utf-8")


def render_html(doc: dict, which: str, medium: str, assets, env: Environment | None = None,
                fit: dict[str, dict] | None = None) -> str:
    """One document (worksheet, answers or solutions) as HTML for a medium (html or pdf).

    ``assets`` draws what the templates show: an Assets, or anything with math(), figure(), beside() and wide().
    ``fit`` holds what pagefit asked of each article, by its id (a room cut back, a figure moved up).
    The HTML carries print.css inline; the PDF medium leaves it out, and write_pdf hands the
    stylesheet to WeasyPrint already parsed.
    """
    env = env or environment()
    css = stylesheet_text(env) if medium == "html" else ""
    template = env.get_template("answers.html" if which == "teacher-key" else f"{which}.html")
    edition = Heading.of(doc["edition"])
    cover = edition.page.cover and which in ("worksheet", "solutions") and len(doc["sections"]) > 1
    context = {"doc": doc, "edition": edition, "sections": doc["sections"], "which": which,
               "doc_title": title_of(which, doc), "medium": medium, "css": Markup(css), "page": edition.page,
               "cover": cover, "math": assets.math, "figure": assets.figure, "beside": assets.beside, "display_lines": assets.lines,
               "wide": assets.wide, "fit": _Fit(fit or {})}
    if not isinstance(env, TemplateSandbox):
        return template.render(**context)
    # what a user's template asks to draw is checked and counted before it is drawn, by the page's problems
    handed = _handed(doc)
    guarded = _Guarded(assets, problem_count(doc), handed)
    context.update(math=guarded.math, figure=guarded.figure, display_lines=guarded.lines, beside=guarded.beside,
                   wide=guarded.wide)
    context.update(_handed_only(doc, handed))
    env.written = 0
    parts, size = [], 0
    try:
        for chunk in template.generate(**context):  # a user's template: the page it writes is bounded too
            size += len(chunk)
            if size > TemplateSandbox.OUTPUT_LIMIT:
                raise SecurityError(f"a template may not write a page longer than {TemplateSandbox.OUTPUT_LIMIT} characters")
            parts.append(chunk)
    except SecurityError as exc:  # said with the template and line that broke the rule, not the folder alone
        raise SecurityError(f"{_template_line(exc)}{exc}") from None
    except (ArithmeticError, ValueError, TypeError, LookupError, AttributeError, UndefinedError) as exc:
        # {{ 1 // 0 }}, "%d" % "x", an undefined name: said with the template and line too, in the error's own
        # type (the build says it as bad input), the line being lost once the error leaves this process (attack25)
        line = _template_line(exc)
        if line and exc.args and isinstance(exc.args[0], str) and not exc.args[0].startswith(line):
            exc.args = (f"{line}{exc.args[0]}", *exc.args[1:])
        raise
    return "".join(parts)


class _Guarded:
    """A user's template's way to the math and figures: each formula text of at most MATH_CHARS, each spec a
    mapping of at most figures.MAX_SPEC characters, and a page's worth in all. Its formulas go back to the
    main process to be drawn: 8000 formulas of 50 000 characters a page grew it by a gigabyte a version."""

    MATH_CHARS = 10_000  # characters in one formula: the longest a built-in page sets is under 2000
    PAGE_MATH = 4_000_000  # characters of formulas on one page: a 400-problem solutions book sets under 1 000 000
    PAGE_FIGURES = 2_000  # figures on one page
    MATH_DEPTH = 40  # groups within groups in one formula: the built-in pages nest under 10
    # and by the page's problems, for what is drawn grows with them, not with what a template asks: the default
    # edition's solutions (38 problems and examples) set 640 formulas of 24 000 characters (attack 21: a one-line
    # template asked for 300 000 formulas a page, and a build ran six minutes)
    FORMULAS_EACH, CHARS_EACH = 100, 10_000

    def __init__(self, assets, problems: int = 0, handed: set[int] | None = None):
        self.assets, self.chars, self.figures, self.formulas = assets, 0, 0, 0
        self.handed = handed or set()  # the problems the page holds: beside() and wide() measure only those
        self.most_formulas = 500 + self.FORMULAS_EACH * problems
        self.most_chars = min(self.PAGE_MATH, 50_000 + self.CHARS_EACH * problems)
        # figures too (the default solutions show 27 for 38 problems; 2000 a page drew for 104 s)
        self.most_figures = min(self.PAGE_FIGURES, 20 + 3 * problems)

    def _formula(self, latex, display) -> None:
        if not isinstance(latex, str) or not isinstance(display, bool):
            raise SecurityError("math() and display_lines() take LaTeX text (and display=true or false)")
        if len(latex) > self.MATH_CHARS:
            raise SecurityError(f"a formula may be at most {self.MATH_CHARS} characters long")
        depth = deepest = 0
        for ch in latex.replace("\\{", "").replace("\\}", ""):  # (an escaped brace is a brace printed)
            depth += (ch == "{") - (ch == "}")
            deepest = max(deepest, depth)
        if deepest > self.MATH_DEPTH:  # \frac{\frac{… 300 deep: a recursion the drawing cannot finish
            raise SecurityError(f"a formula may nest at most {self.MATH_DEPTH} groups {{…}} deep")
        self.chars += len(latex)
        self.formulas += 1
        if self.chars > self.most_chars or self.formulas > self.most_formulas:
            raise SecurityError(f"this page may set at most {self.most_formulas} formulas of {self.most_chars} "
                                f"characters in all ({self.FORMULAS_EACH} and {self.CHARS_EACH} a problem, and more)")

    def math(self, latex, display=False):
        self._formula(latex, display)
        return self.assets.math(latex, display)

    def lines(self, latex, depth=0, paper="A4", beside=False):
        self._formula(latex, True)
        if not isinstance(depth, int) or isinstance(depth, bool) or not 0 <= depth <= 20 or paper not in ("A4", "Letter"):
            raise SecurityError("display_lines() takes a depth (a whole number) and a paper, A4 or Letter")
        return self.assets.lines(latex, depth, paper, bool(beside))

    def figure(self, spec, where="beside"):
        from workbook.figures import MAX_SPEC

        if not isinstance(spec, dict) or not isinstance(where, str) or len(where) > 40:
            raise SecurityError("figure() takes a figure's spec (a mapping) and where it goes: beside, below or sheet")
        # measured before its JSON is made (a spec holding a list of lists took a worker to its memory cap)
        size = _text_size(spec, 4 * MAX_SPEC)  # (an estimate, a number's at its longest: JSON itself below)
        if size <= 4 * MAX_SPEC:
            try:
                size = len(json.dumps(spec, default=str))
            except (TypeError, ValueError, RecursionError):
                raise SecurityError("a figure's spec must be plain data: text, numbers, lists and mappings") from None
        self.figures += 1
        if size > MAX_SPEC or self.figures > self.most_figures:
            raise SecurityError(f"a figure's spec may be at most {MAX_SPEC} characters, and this page may show "
                                f"{self.most_figures} figures (20, and 3 a problem)")
        return self.assets.figure(spec, where)

    def beside(self, problem, paper="A4"):
        return self.assets.beside(self._problem(problem, "beside"), paper if paper in ("A4", "Letter") else "A4")

    def wide(self, problem):
        return self.assets.wide(self._problem(problem, "wide"))

    def _problem(self, value, name: str) -> dict:
        """A problem the page was handed (the very object): one a template made up would have its formulas
        and figure measured unchecked (a formula 300 groups deep, 200 of 100 000 characters)."""
        if not isinstance(value, dict) or id(value) not in self.handed:
            raise SecurityError(f"{name}() takes a problem the page was handed, not one a template made")
        return value


def problem_count(doc: dict) -> int:
    """A document's problems and worked examples."""
    return sum(len(s["problems"]) + bool(s.get("example")) for s in doc["sections"])


def _handed(doc: dict) -> set[int]:
    """The problems (and worked examples) a document holds, by identity: the very objects its page is handed."""
    handed: set[int] = set()

    def collect(value) -> None:
        if isinstance(value, dict):
            if "claims" in value:
                handed.add(id(value))
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(doc)
    for section in doc.get("sections", ()):  # and each section's problems and example, whatever they record
        handed.update(id(p) for p in section.get("problems", ()) if isinstance(p, dict))
        if isinstance(section.get("example"), dict):
            handed.add(id(section["example"]))
    return handed


def _handed_only(doc: dict, handed: set[int]) -> dict:
    """practice_data and practice_json for a template from someone else: they work out a problem's page data
    with SymPy, so they take only the problems this document was handed (the very objects), never a record a
    template made up (a made-up start of ["__import__('os')..."] reached SymPy's eval)."""

    def own(problem) -> dict:
        if id(problem) not in handed:
            raise SecurityError("practice_data takes only a problem the page was handed, not one a template made")
        return problem

    def data(problem):
        return practice_data(own(problem))

    def whole(sections):
        return practice_json([{"problems": [own(p) for p in s["problems"]]} for s in sections])

    return {"practice_data": data, "practice_json": whole}


def _template_line(exc: BaseException) -> str:
    """"worksheet.html, line 3: " for the innermost line of a template an exception passed through (Jinja
    rewrites its tracebacks to name the template's own file and line), or ""."""
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".css", ".txt", ".xml")):
            return f"{printable(Path(frame.filename).name)}, line {frame.lineno}: "
    return ""


class _Fit:
    """What pagefit asked of an article, by its id, for the templates: ``fit("problem-3").room_cm``."""

    def __init__(self, fit: dict[str, dict]):
        self._fit = fit

    def __call__(self, article: str) -> dict:
        return dict(self._fit.get(article, {}))


_URL_ATTRIBUTES = {"src", "srcset", "href", "xlink:href", "poster", "data", "background", "action", "formaction",
                   "lowsrc", "dynsrc", "manifest", "codebase", "archive", "ping", "icon", "longdesc", "cite"}
_FOLLOWED = {"a", "area"}  # a link the reader chooses to follow, not a load


def _remote_address(value: str) -> bool:
    """Whether a URL (entities already decoded) names a place other than the page's own files."""
    plain = re.sub(r"[\x00-\x20]", "", value).lower()
    if plain.startswith("data:"):
        return False
    return bool(re.match(r"[a-z][a-z0-9+.-]*:", plain)) or plain.startswith(("//", "\\\\", "/\\", "\\/"))


class _Loads(html.parser.HTMLParser):
    """Every address a page would load as it opens: URL attributes (entities decoded, as a browser
    reads them; each candidate of a srcset), style attributes and <style> sheets (read by WeasyPrint's
    CSS tokenizer, escapes included), and a refresh."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name == "style":
                self.found += stylesheet_fetches("x{" + value + "}")
            elif name in _URL_ATTRIBUTES and not (name == "href" and tag in _FOLLOWED):
                candidates = value.split(",") if name in ("srcset", "archive", "ping") else [value]
                self.found += [c.strip() for c in candidates if _remote_address(c.strip().split(" ")[0] if name ==
                                                                               "srcset" else c)]
            elif name == "http-equiv" and value.strip().lower() == "refresh":
                self.found.append("a refresh")
        self.in_style = tag == "style"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.found += stylesheet_fetches(data)


def refuse_remote(page: str) -> None:
    """A page from a user's templates may load nothing from elsewhere as it opens (a tracking image, a
    stylesheet, a redirect): every address it holds is read as a browser reads it. Links a reader
    follows are fine."""
    from workbook.pdf import FetchRefused

    reader = _Loads()
    try:
        reader.feed(page)
        reader.close()
    except AssertionError:  # Python 3.11's parser on a marked section it does not know, <![foo[ (attack31): a page
        # that cannot be read through is not passed as read
        raise FetchRefused("the page holds a marked section (<![...[) that cannot be checked; remove it from the "
                           "template") from None
    # and as a browser parses it (HTML5's rules: Python's parser ends a comment such as <!--> or --!> where a
    # browser does not, and a refresh hidden in one was fetched); tinyhtml5 is WeasyPrint's own parser
    import tinyhtml5

    names = {"{http://www.w3.org/1999/xlink}href": "xlink:href"}
    # with scripting on too, as a browser parses: <noscript> is then raw text ending at the first </noscript>,
    # even one inside an attribute, and what follows it is markup (a refresh hidden in a title was fetched)
    for scripting in (False, True):
        for element in tinyhtml5.parse(page, scripting=scripting).iter():
            if not isinstance(element.tag, str):
                continue  # a comment
            tag = element.tag.rpartition("}")[2].lower()
            attributes = [(names.get(k, k.rpartition("}")[2]).lower(), v) for k, v in element.attrib.items()]
            if any(name == "srcdoc" for name, _ in attributes):  # a page inside an attribute: a browser opens it
                raise FetchRefused("the page holds a frame with a page of its own (srcdoc); a page may hold only "
                                   "what it shows")
            reader.handle_starttag(tag, attributes)
            if tag == "style":
                reader.handle_data(element.text or "")
            reader.handle_endtag(tag)
    if reader.found:
        raise FetchRefused(f"the page asks to load {reader.found[0][:60]!r} from elsewhere; a page may use only the "
                           "build's own files (links a reader follows are fine)")


def write_documents(doc: dict, out_dir: Path, *, cache_dir: Path | None = None, template_dir: Path | None = None,
                    timings: dict | None = None, formats: tuple[str, ...] = ("html", "pdf"),
                    documents: tuple[str, ...] = EDITION_DOCUMENTS) -> dict[str, Path]:
    """Write the documents (worksheet, answers, solutions) as HTML and PDF into out_dir; return the paths."""
    timings = {} if timings is None else timings
    out_dir.mkdir(parents=True, exist_ok=True)
    env = environment(template_dir)
    cache = mathtex.SVGCache(cache_dir)
    drawn: dict[str, str] = {}
    files: dict[str, Path] = {}
    both = "html" in formats and "pdf" in formats
    if "html" in formats:
        assets = Assets("html", None, cache, timings, drawn)
        assets.both = both
        for which in documents:
            start = time.perf_counter()
            html = render_html(doc, which, "html", assets, env)
            if template_dir is not None:
                refuse_remote(html)
            html = with_policy(glued(html))
            path = out_dir / f"{which}.html"
            path.write_text(html, encoding="utf-8")
            files[f"{which}.html"] = path
            timings["html"] = timings.get("html", 0.0) + time.perf_counter() - start
    if "pdf" in formats:
        # the images WeasyPrint may fetch, held in memory: the only ones it is served
        assets = Assets("pdf", {}, cache, timings, drawn)
        assets.both = both
        css = stylesheet_text(env)
        for which in documents:
            if which in HTML_ONLY:
                continue
            path = out_dir / f"{which}.pdf"
            laid_out = fitted_layout(doc, which, assets, env, css, timings)
            start = time.perf_counter()
            pdf.save(laid_out, path)
            timings["pdf"] = timings.get("pdf", 0.0) + time.perf_counter() - start
            files[f"{which}.pdf"] = path
    return files


def breakable(html: str) -> str:
    """The page with a zero-width space after each space that stands before a math image. WeasyPrint, finding
    the image after a run of words too long for the line, moved the whole run to the next line instead of
    breaking it at its last space that fits: Adam's question printed "from θ₀ = −1," alone on a line. The
    zero-width space gives it a break it takes; it prints nothing, and the HTML a reader gets has none."""
    return html.replace(' <img class="math"', ' \u200b<img class="math"')


def fitted_layout(doc: dict, which: str, assets: Assets, env: Environment, css: str, timings: dict):
    """The document laid out for the PDF. A worksheet's pages are set by pagefit.plan (each problem whole on
    a page, rooms fitted to it) where the next layout bears the plan out; then the document is laid out again
    (at most pagefit.FIT_PASSES times in all) while a page has a fault pagefit.faults can mend: a room to work
    whose last strip stands alone on a page, a figure parted from its question."""

    def lay_out(fit: dict[str, dict]):
        start = time.perf_counter()
        html = render_html(doc, which, "pdf", assets, env, fit)
        timings["html"] = timings.get("html", 0.0) + time.perf_counter() - start
        start = time.perf_counter()
        laid_out = pdf.lay_out(breakable(html), Path(), assets.folder, css)
        timings["pdf"] = timings.get("pdf", 0.0) + time.perf_counter() - start
        return laid_out, [page._page_box for page in laid_out.pages]

    fit: dict[str, dict] = {}
    laid_out, boxes = lay_out(fit)
    passes = 1
    # a worked example's faults are mended first: the plan is made for the pages as they will stand (Module 5's
    # example, its figure set first after the plan, took the room the plan gave the problem under it: read27)
    early = pagefit.faults(boxes, fit, rooms_too=False)
    if early:
        fit = early
        laid_out, boxes = lay_out(fit)
        passes += 1
    planned = pagefit.plan(boxes, Heading.of(doc["edition"]).page.work_height is None, *WORK_CM)
    if planned:
        planned = {**fit, **planned}
        trial, trial_boxes = lay_out(planned)
        passes += 1
        if pagefit.realised(trial_boxes, planned):
            fit, laid_out, boxes = planned, trial, trial_boxes
    while passes < pagefit.FIT_PASSES:
        fit = pagefit.faults(boxes, fit)
        if not fit:
            break
        laid_out, boxes = lay_out(fit)
        passes += 1
    if which == "answers" and len(boxes) > 1 and pagefit.read_page(boxes[-1]).filled < SNUG_SHARE:
        # a key whose last answer or two went overleaf alone (read58 F7: versions B, C and D's one-page keys took a
        # second sheet for problem 17's line): its rows set closer, kept where that saves the page
        snug, snug_boxes = lay_out({**fit, SNUG: {"snug": True}})
        if len(snug_boxes) < len(boxes):
            laid_out = snug
    return laid_out


SNUG = "document"  # the document's own entry in a fit (no article has that id): set snug (templates/base.html)
SNUG_SHARE = 0.25  # a key's last page filled less than this is tried with its rows set closer


def render_job(doc: dict, out_dir: Path, cache_dir: Path | None, formats: tuple[str, ...],
               documents: tuple[str, ...], template_dir: Path | None = None) -> tuple[dict[str, Path], dict[str, float]]:
    """write_documents as one worker task: the files made and the seconds each stage took."""
    timings: dict[str, float] = {}
    files = write_documents(doc, out_dir, cache_dir=cache_dir, timings=timings, formats=formats, documents=documents,
                            template_dir=template_dir)
    return files, timings


class _Recorder:
    """Stands in for Assets while templates are rendered only to learn which math and figures they use."""

    def __init__(self):
        self.seen_math: set[tuple[str, bool]] = set()
        self.figures: dict[str, dict] = {}

    def math(self, latex: str, display: bool = False) -> Markup:
        self.seen_math.add((latex, display))
        return Markup("")

    def figure(self, spec: dict, where: str = "beside") -> Markup:
        self.figures[figure_digest(spec, "")] = spec
        return Markup("")

    def lines(self, latex: str, depth: int = 0, paper: str = "A4", beside: bool = False) -> list[str]:
        self.seen_math.add((latex, True))
        return [latex]

    def beside(self, problem: dict, paper: str) -> bool:
        return True  # the formulas it measures are recorded as the steps are shown

    def wide(self, problem: dict) -> bool:
        return False  # the figure is recorded where a figure beside the steps would be


def assets_used(doc: dict, documents: tuple[str, ...],
                template_dir: Path | None = None) -> tuple[set[tuple[str, bool]], dict[str, dict]]:
    """The math (LaTeX, display) and the figure specs the documents show, without drawing any."""
    recorder = _Recorder()
    for which in documents:
        render_html(doc, which, "pdf", recorder, environment(template_dir))
    return recorder.seen_math, recorder.figures


def prepare_job(math: list[tuple[str, bool]], specs: list[dict], formats: tuple[str, ...],
                cache_dir: Path) -> dict[str, float]:
    """Draw math and figures into the content cache, so that the documents' own jobs only lay out.

    Run in parallel over parts of the list before any document is laid out: the heaviest document
    no longer draws everything it shows on its own.
    """
    timings: dict[str, float] = {}
    cache = mathtex.SVGCache(cache_dir)
    assets = Assets("pdf", None, cache, timings)
    wanted = [fmt for medium, fmt in (("html", "svg"), ("pdf", "png")) if medium in formats]
    for spec in specs:
        start = time.perf_counter()
        assets.prepare_figure(spec, wanted)
        timings["figures"] = timings.get("figures", 0.0) + time.perf_counter() - start
    if "pdf" in formats:
        start = time.perf_counter()
        for latex, display in math:
            cache.get(latex, display)
        timings["math"] = timings.get("math", 0.0) + time.perf_counter() - start
    return timings
