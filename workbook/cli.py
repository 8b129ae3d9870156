"""The `workbook` command: a thin layer over the library. Exit 2 on bad input, 1 on a failed build."""

from __future__ import annotations

import errno
import itertools
import json
import os
import re
import signal
import sys
import time
import warnings
from contextlib import contextmanager, suppress
from pathlib import Path

import click

from workbook import __version__
from workbook.errors import LINES_SAID, BuildError, InputError, TooSlow, disk_full
from workbook.limits import MAX_VERSIONS


class _Progress:
    """How a build's stages show: a bar a stage on a terminal (stderr), one line a stage when piped
    (stdout: a log shows where a long build is), nothing with --quiet."""

    def __init__(self, quiet: bool, terminal: bool):
        self.quiet, self.terminal = quiet, terminal
        self.stage, self.bar, self.started, self.done = None, None, 0.0, 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet or total == 0:
            return
        if stage != self.stage:
            self.close()
            self.stage, self.started, self.done = stage, time.perf_counter(), 0
            if self.terminal:
                self.bar = click.progressbar(length=total, label=stage, file=sys.stderr)
                self.bar.__enter__()
            else:  # on stdout, with the build's report: stderr is for errors, one line each
                unit = {"drawing and checking problems": "problem", "laying out documents": "file"}.get(stage)
                with _unread():
                    click.echo(f"{stage} ({total} {unit}{'s' * (total != 1)})" if unit else stage)
        if self.bar is not None and done > self.done:
            self.bar.update(done - self.done)  # (a layout's job may hold several documents)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@contextmanager
def _unread():
    """What a build prints on stdout may find no one reading (`workbook build | head -1`): the reader gone,
    the rest goes to /dev/null (a write, and the flush at exit, would fail again), and the build, which
    wrote its edition whatever it printed, goes on and ends as it would have (exit 0)."""
    try:
        yield
    except BrokenPipeError:
        _stdout_gone()
    except OSError as exc:  # stdout on a full device (> /dev/full) or one that fails: as gone, and said at the end
        if exc.errno not in (errno.ENOSPC, errno.EIO, errno.EFBIG, getattr(errno, "EDQUOT", -1)):
            raise  # (it was "no space is left on the disk ... the previous edition is kept", and the build stopped:
        _stdout_gone()  # attack35a C24)
        OUTPUT_LOST.append(exc.strerror or str(exc))


OUTPUT_LOST: list[str] = []  # why what a build printed on stdout could not be written


def _stdout_gone() -> None:
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _list_files(files: dict[str, Path], limit: int = 16) -> None:
    """The files a build wrote, one a line; many versions or students are summed up by folder, with the
    files every one of them holds."""
    names = sorted(files)
    if len(names) <= limit:
        for name in names:
            _say(f"  {files[name]}")
        return
    copies: dict[str, set[str]] = {}  # a version's or a student's folder -> its files
    for name in names:
        parts = name.split("/")
        if len(parts) == 3:
            copies.setdefault("/".join(parts[:2]), set()).add(parts[2])
        else:
            _say(f"  {files[name]}")  # the edition's own files, an area's key, print.pdf, quiz
    if copies:
        folders = sorted(copies, key=lambda f: (len(f), f))  # A ... Z, AA ...
        common = sorted(set.intersection(*copies.values()))
        # three named as three: "s01, s02 ... s03" read as more between them (user54 F8)
        shown = ", ".join(folders) if len(folders) <= 3 else ", ".join(folders[:2]) + f" ... {folders[-1]}"
        count = sum(len(v) for v in copies.values())
        _say(f"  and {count} files in {len(folders)} folders: {shown} (each: {', '.join(common)})")


def _fail(lines: list[str], code: int = 2) -> None:
    """Each problem on one line of its own (what a file held is never sent to the terminal as it
    stands: no control character, no line break), at most LINES_SAID of them, the last saying how many more there
    are, then exit ``code``."""
    shown = lines if len(lines) <= LINES_SAID else lines[:LINES_SAID - 1]
    for line in shown:
        click.echo(f"error: {_plain(line, 500)}", err=True)
    if len(lines) > LINES_SAID:
        click.echo(f"error: ... and {len(lines) - len(shown)} more like these", err=True)
    sys.exit(code)


def _utf8_read_as_other(arg: str) -> bool:
    """Whether an argument is UTF-8 text that Python read in another encoding (a C locale without
    Python's UTF-8 mode), rather than a name truly in another encoding."""
    if sys.getfilesystemencoding().lower().replace("-", "") == "utf8":
        return False
    try:
        os.fsencode(arg).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class _FormatList(click.Choice):
    """``--format``'s value: one format, or several separated by commas (pdf,html), as many tools take them."""

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        return tuple(super(_FormatList, self).convert(part.strip(), param, ctx) for part in str(value).split(","))


_FORMATS = _FormatList(["pdf", "html", "moodle", "canvas"])


class _Folder(click.Path):
    """``--out``'s value: a folder named. An empty one (``--out "$OUT"`` with OUT unset) was the current folder,
    and the build went there."""

    def __init__(self):
        super().__init__(path_type=Path, file_okay=False)

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not value.strip():
            self.fail("it is empty: name a folder (build, the default, or . for this one)", param, ctx)
        return super().convert(value, param, ctx)


class _Named(click.Path):
    """A path option's value, named: an empty one (an unset shell variable) was read as the folder "." (--roster "":
    "error: .: the roster is not a regular file": attack33 F14) or as "Directory '' does not exist"."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not value.strip():
            self.fail("it is empty: name a " + ("file" if not self.dir_okay else "folder"), param, ctx)
        return super().convert(value, param, ctx)


class _Group(click.Group):
    """Click's group, keeping the promise of one short line for bad input everywhere: a bad option's
    value is quoted only in part, and a path the system cannot use (a name too long, a folder that
    is a file) is one line and exit 2, never a traceback."""

    def make_context(self, info_name, args, *rest, **kwargs):
        for arg in args:  # a name in another encoding reaches Python as lone surrogates: no file can be written so
            if isinstance(arg, str) and any("\udc80" <= ch <= "\udcff" for ch in arg):
                if _utf8_read_as_other(arg):
                    _fail([(f"this terminal's locale reads text as {sys.getfilesystemencoding()}, not UTF-8 (LC_ALL=C "
                            "with PYTHONUTF8=0?): run with a UTF-8 locale, LC_ALL=C.UTF-8, or PYTHONUTF8=1")])
                shown = _plain(arg.encode("utf-8", "backslashreplace").decode(), 60)
                _fail([(f"the argument '{shown}' is not UTF-8 text (a file named in another encoding?): rename it, "
                        "or give its name in UTF-8")])
        try:
            return super().make_context(info_name, args, *rest, **kwargs)
        except click.UsageError as exc:
            _usage(exc)

    def invoke(self, ctx):
        try:
            with _stopped_as_by_ctrl_c():
                return super().invoke(ctx)
        except click.UsageError as exc:
            _usage(exc)
        except KeyboardInterrupt as exc:  # Ctrl-C: a build's work is in its staging folder, removed on the way out
            from workbook.staging import in_place

            # (a stop held until the swap was done: C19; or one after it, as the build noted what it kept: attack58 F3)
            kept = (" (the new edition had been written and is in place)" if getattr(exc, "swapped", False) or in_place()
                    else " (the previous edition is kept as it was)")
            what = (kept if ctx.invoked_subcommand in ("build", "practice") else
                    " (each edition is removed whole or left as it was: clean again to finish)"
                    if ctx.invoked_subcommand == "clean" else "")
            with suppress(OSError):  # SIGHUP: the terminal may be gone
                click.echo(f"\nstopped{what}", err=True)
            sys.exit(128 + getattr(exc, "signal", signal.SIGINT))  # 130, 143 or 129, as a shell reports them
        except TooSlow as exc:  # `list`, `show`, `check`: a stranger's bank whose every draw is slow
            _fail([str(exc)], code=exc.code)
        except BrokenPipeError:  # `workbook list | head`: the reader has gone
            _stdout_gone()
            sys.exit(1)
        except OSError as exc:
            if full := disk_full(exc):
                _fail([full], code=1)  # not bad input: the same command works once there is room
            if isinstance(exc, FileNotFoundError) and "No usable temporary directory" in str(exc):
                # every temporary folder refused a file (ulimit -f 0, a full disk, no permission): Python's own words
                # blamed the folders and listed the current one (attack35a C12)
                _fail([("could not write a temporary file in any temporary folder ($TMPDIR, /tmp, ...): a full disk, "
                       "a file-size limit (ulimit -f) or no permission; nothing was changed")], code=1)
            where = f"{exc.filename}: " if exc.filename else ""
            _fail([f"{where}{exc.strerror or exc}"])
        except RuntimeError as exc:
            if str(exc).startswith("Was not able to determine binary stream"):  # stdin or stdout closed
                _fail(["a standard stream (input or output) is closed; give the input from a file or a pipe"])
            if not str(exc).startswith("Symlink loop"):  # pathlib's resolve() on a link that loops
                raise
            _fail([f"{exc}: a link that points at itself; remove it"])


class Stopped(KeyboardInterrupt):
    """A command stopped by SIGTERM (kill, timeout, systemd, a CI's cancel) or SIGHUP (its terminal
    closed): raised where the program is, it unwinds as Ctrl-C does, so the same clean-up runs."""

    def __init__(self, signum: int):
        super().__init__()
        self.signal = signum


def _raise_stopped(signum: int, frame) -> None:
    _hold_further_signals()
    raise Stopped(signum)


def _interrupted(signum: int, frame) -> None:
    _hold_further_signals()
    raise KeyboardInterrupt


def _hold_further_signals() -> None:
    """The first Ctrl-C, SIGTERM or SIGHUP stops the command; one more while its clean-up runs (a second
    Ctrl-C, kill sent twice) would break off the clean-up halfway, leaving the staging folder, the lock and
    the workers: it is ignored until the command has ended."""
    for signum in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, signal.SIG_IGN)


@contextmanager
def _stopped_as_by_ctrl_c():
    """SIGTERM and SIGHUP raise Stopped while a command runs; the handlers before are put back after
    (a test's CliRunner, a thread other than the main one: where a handler cannot be set, none is)."""
    previous = {}
    try:
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, _interrupted)
        for signum in (signal.SIGTERM, signal.SIGHUP):
            previous[signum] = signal.signal(signum, _raise_stopped)
    except (ValueError, AttributeError):  # not the main thread; no SIGHUP (Windows)
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _usage(exc: click.UsageError) -> None:
    """A mistake on the command line: one line, with where to find help, exit 2."""
    where = exc.ctx.command_path if exc.ctx is not None else "workbook"
    _fail([f"{_plain(exc.format_message(), 300)} (see `{where} --help`)"], code=exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbook")
def main() -> None:
    """Printable Calculus for Deep Learning workbooks: randomized problems, worked solutions,
    every answer checked."""
    from workbook.workers import JobsError, default_jobs

    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show σ or ∂ gets \u03c3, not a traceback
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(errors="backslashreplace")
    # warnings (NumPy's ComplexWarning, say) are for developers: on a user's terminal they are noise,
    # and name files of the installation; workers forked later inherit this
    warnings.simplefilter("ignore")

    try:
        default_jobs()  # WORKBOOK_JOBS checked once, before any command starts work
    except JobsError as exc:
        _fail([str(exc)])
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and not (epoch.isascii() and epoch.isdigit() and len(epoch) <= 12
                                  and int(epoch) <= LAST_EPOCH):  # a date a PDF and a calendar can hold
        _fail([(f"SOURCE_DATE_EPOCH='{_plain(epoch[:20], 30)}': give the build date as whole seconds since 1970, "
               "before the year 10000, or unset it")])


def run() -> None:
    """The ``workbook`` command: ``main``, then out without taking the interpreter apart. Python's own way
    out frees every object a build made (SymPy's caches, WeasyPrint's fonts and boxes) one by one, which
    took 0.4-0.7 s after the last file was written, for nothing: the system frees a process whole. What
    Python does first at exit is done here too (threads finished, exit handlers run, output flushed); a
    traceback still ends the usual way."""
    import atexit
    import threading

    try:
        main(prog_name="workbook")  # click ends with SystemExit in every case it handles; named as the command is, in
        # its hints, also when run as `python -P -m workbook`: `python -m workbook` there runs a planted package (attack52 F1)
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        with suppress(OSError, ValueError):
            print(code, file=sys.stderr)
        code = 1
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a reader gone: nothing more can be said to it
            stream.flush()
    os._exit(code)


LAST_EPOCH = 253402300799  # 9999-12-31 23:59:59 UTC: a later SOURCE_DATE_EPOCH broke the build while drawing


@main.command()
@click.argument("edition", required=False, type=_Named(path_type=Path, dir_okay=False))
@click.option("--seed", type=click.IntRange(0, 2**53), help="Override the edition's seed.")
@click.option("--out", "out_root", type=_Folder(), default=Path("build"),
              show_default=True, help="The build folder; the edition goes into OUT/<edition-slug>/.")
@click.option("--bank", "bank_folders", multiple=True, type=_Named(path_type=Path, exists=True, file_okay=True),
              help="A folder (or file) of extra problem families; may be repeated.")
@click.option("--versions", type=click.IntRange(1, MAX_VERSIONS),
              help="Build versions A, B, C ... (overrides the edition).")
@click.option("--roster", type=_Named(path_type=Path, dir_okay=False),
              help="A CSV of students (name, id): one personalized worksheet each and a key by student, in "
                   "students/; students built before are kept.")
@click.option("--student", "students", multiple=True, metavar="ID",
              help="Rebuild this student's sheet alone (repeatable), from --roster or the class built before.")
@click.option("--format", "formats", multiple=True, type=_FORMATS,
              help="What to write (repeatable, or a list: pdf,html): pdf and html by default; moodle writes quiz.xml, a Moodle XML "
                   "quiz, canvas writes canvas.zip, a QTI package for Canvas; both with the worked solutions as "
                   "feedback.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64),
              help="Worker processes (default: one a core, or the WORKBOOK_JOBS environment variable).")
@click.option("--templates", type=_Named(path_type=Path, exists=True, file_okay=False),
              help="A folder of templates searched before the built-in ones (overrides the edition's `templates`).")
@click.option("--cluster", metavar="ADDRESS",
              help="Run the draws and layouts on a Dask cluster: a scheduler's address (tcp://host:8786), or "
                   "'local' for a LocalCluster here (default: WORKBOOK_CLUSTER; needs pip install -e '.[cluster]').")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors and notes (what a build removed or kept, and why): no progress, no list of files.")
def build(edition: Path | None, seed: int | None, out_root: Path, bank_folders: tuple[Path, ...],
          versions: int | None, roster: Path | None, students: tuple[str, ...], formats: tuple[str, ...],
          jobs: int | None, templates: Path | None, cluster: str | None, quiet: bool) -> None:
    """Build EDITION (a TOML file; the default workbook if left out) into worksheet, answer key
    and solutions, as PDF and HTML, with manifest.json."""
    from workbook.resources import editions_dir

    if edition is not None and not edition.exists() and edition.suffix == "" and edition.name == str(edition):
        shipped = editions_dir() / f"{edition}.toml"
        edition = shipped if shipped.is_file() else edition  # a shipped edition by name: `workbook build derivatives`
    if edition is not None and not edition.exists() and edition.is_symlink():  # said as the roster's and bank's are
        # (it was "no such edition file": attack53 F6)
        what = "a link to a file that does not exist"
        try:
            edition.resolve(strict=True)
        except RuntimeError:  # a loop (Python 3.11 and 3.12)
            what = "a link that points at itself (a loop)"
        except OSError as exc:  # a loop from 3.13 on, ELOOP
            what = "a link that points at itself (a loop)" if exc.errno == errno.ELOOP else what
        _fail([f"{_plain(str(edition), 80)}: the edition file is {what}; remove it or point it at an edition file"])
    if edition is not None and not edition.exists():
        names = ", ".join(sorted(p.stem for p in editions_dir().glob("*.toml")))
        _fail([(f"{_plain(str(edition), 80)}: no such edition file; build a shipped one by name ({names}), "
               "or write a starter with `workbook new FILE`")])
    start = time.perf_counter()
    formats = tuple(dict.fromkeys(name for names in formats for name in names)) or ("html", "pdf")
    templates = templates.resolve() if templates is not None else None
    from workbook.cluster import address_of

    try:
        cluster = address_of(cluster)
    except InputError as exc:
        _fail(exc.lines)
    key = None
    if roster is None and not students:  # an unchanged edition is answered before anything heavy is imported
        from workbook import quick

        key = quick.inputs(edition, seed=seed, versions=versions, formats=formats, templates=templates,
                           banks=bank_folders, origin="cluster" if cluster not in (None, "local") else "")
        found = quick.up_to_date(out_root, key) if key is not None else None
        if found is not None:
            out_dir, area, problems = found
            if not quiet:
                from workbook.areas import area_files

                with _unread():
                    _say(f"{out_dir} is up to date: the same {problems} problems, the same files "
                         f"(checked in {time.perf_counter() - start:.1f} s)")
                    _list_files(area_files(out_dir, area))
            return
    from workbook.build import build as run_build

    bar = _Progress(quiet, sys.stderr.isatty())
    try:
        result = run_build(edition, seed=seed, out_root=out_root, bank_folders=list(bank_folders), versions=versions,
                           roster=roster, students=students, formats=formats, progress=bar, jobs=jobs,
                           templates=templates, cluster=cluster)
    except InputError as exc:
        bar.close()
        _fail(exc.lines)
    except BuildError as exc:
        bar.close()
        _fail([str(exc)], code=exc.code)
    except KeyboardInterrupt:
        bar.close()
        raise
    bar.close()
    # remembered only if nothing it reads changed while it ran: a family file saved during a build, and put back
    # after it, was answered "up to date" with the sheet of the version saved (attack30)
    if key is not None and key == quick.inputs(edition, seed=seed, versions=versions, formats=formats,
                                               templates=templates, banks=bank_folders,
                                               origin="cluster" if cluster not in (None, "local") else ""):
        quick.remember(out_root, key, result.out_dir, result.area, result.problems)
    for note in result.notes:
        _say(f"note: {note}", err=True)
    if not quiet:
        took = time.perf_counter() - start
        with _unread():
            if result.unchanged:
                _say(f"{result.out_dir} is up to date: the same {result.problems} problems, the same files "
                     f"(checked in {took:.1f} s)")
            else:
                _say(f"built {result.problems} problem{'s' * (result.problems != 1)} into {result.out_dir} in {took:.1f} s")
            _list_files(result.files)
    if OUTPUT_LOST:
        with suppress(OSError):
            click.echo(f"note: the edition was built into {_plain(str(result.out_dir), 200)}, but what this command "
                       f"prints could not be written to its output ({OUTPUT_LOST[0]})", err=True)


class _Signed(click.Command):
    """A command whose expression may begin with a minus: `workbook solve "-x + ln(1 + e^x)"` was "No such option
    '-x'" (user48 F2), and `--` before it made the options after it expressions. The first word that begins with a
    single '-' and is neither an option nor an option's value is read as the expression (a space put before it)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        valued = {name for param in self.params if isinstance(param, click.Option) and not param.is_flag
                  for name in param.opts}
        out, after_value, found = [], False, False
        for arg in args:
            if arg == "--":
                found = True  # what follows is plain arguments already
            elif not after_value and not found and arg.startswith("-") and not arg.startswith("--") and len(arg) > 1 \
                    and arg not in ctx.help_option_names:
                arg, found = " " + arg, True
            elif not after_value and not arg.startswith("-"):
                found = True
            after_value = not after_value and arg in valued
            out.append(arg)
        return super().parse_args(ctx, out)


@main.command(cls=_Signed)
@click.argument("expression", required=False)
@click.option("--wrt", default=None, help="The variable (default x); other names are constants. "
                                          "x,y differentiates by x then y (a mixed partial).")
@click.option("--order", default=1, show_default=True, type=click.IntRange(1, 20),
              help="Which derivative (at most 20 in all, counting each variable of --wrt).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--gradient", "as_gradient", is_flag=True,
              help="Every first partial (of the --wrt variables, default all): the gradient.")
@click.option("--batch", type=_Named(path_type=Path, dir_okay=False, allow_dash=True),
              help='Work a file of JSON lines {"input", "variable", "order"}; write one JSON result a line.')
@click.option("--check", "answer", default=None, metavar="ANSWER",
              help="Your derivative: says whether it is right (exit 0) or not (exit 1), where it differs "
                   "and which mistake it looks like. With --at, ANSWER may be the value there, or the tangent line there (y = ...); "
                   "with --gradient, the partials in order, separated by commas (their values with --at).")
@click.option("--at", default=None, metavar="VALUE",
              help="Also give the derivative's value at this point (with --gradient, one number a variable: 1,2).")
@click.option("--domain", default=None, metavar="A..B",
              help="Check at points between A and B (default -3..3), for example 0..1 or -pi..pi.")
def solve(expression: str | None, wrt: str | None, order: int, as_json: bool, as_gradient: bool, batch,
          answer: str | None, at: str | None, domain: str | None) -> None:
    """Differentiate EXPRESSION step by step: workbook solve "sin(x^2)*exp(x)".

    With --check, judge your own answer instead: workbook solve "sin(x^2)" --check "2x cos(x^2)"."""
    from workbook import solver

    if batch is not None:
        given = [name for name, value in (("EXPRESSION", expression), ("--check", answer), ("--at", at),
                                          ("--domain", domain), ("--gradient", as_gradient or None), ("--wrt", wrt),
                                          ("--order", order if order != 1 else None)) if value is not None]
        if given:  # each dropped without a word, exit 0 (which for --check says "right": attack49 F1)
            _fail([f"--batch takes its work from FILE, a JSON line each: give no {', '.join(given)} with it"])
        _solve_batch(_open_batch(batch))
        return
    if expression is None:
        _fail(["give an EXPRESSION to differentiate, or --batch FILE"])
    expression = expression.lstrip()  # (the space _Signed put before a leading minus)
    from workbook import judge

    outcome = _in_worker(solver.budget(order, wrt), solver.request, expression, wrt, order, as_json, as_gradient,
                         answer, at, domain, judge.tangent_checked, judge.gradient_checked)
    if not outcome.ok:
        _fail(*_unworked(expression, outcome))
    status, lines = outcome.value
    if status == 2:
        _fail(lines)
    click.echo("\n".join(lines))  # what the parser read: plain ASCII, no control characters
    sys.exit(status)


def _unworked(expression: str, outcome) -> tuple[list[str], int]:
    """What solve says of a worker that gave no result, and its exit code: 2 where the expression took too long or
    too much memory; 3 for a fault of workbook's own, which is not "not right" (exit 1 said so: attack44 F1)."""
    fault = outcome.kind == "died" or (outcome.kind == "raised" and not getattr(outcome.exception, "plain", False))
    said = (f"workbook could not work this out, a fault of its own ({outcome.error}): please report it" if fault
            else outcome.error)
    return [f"{_plain(expression, 60)}: {said}"], 3 if fault else 2


def _in_worker(budget: float, fn, *args):
    """fn(*args) in a worker process, stopped after ``budget`` seconds or at its memory cap."""
    from workbook.workers import Pool

    with Pool(1) as pool:
        pool.submit(0, budget, fn, *args)
        return next(pool.completed())


def _solve_batch(batch) -> None:
    """Each line of the batch worked in the workers, under the budget each, printed in order."""
    from workbook import solver
    from workbook.errors import printable
    from workbook.workers import Pace, Pool

    def answer(outcome, line: bytes) -> dict:
        if outcome.ok:
            return outcome.value
        return {"input": solver.input_of(line), "error": outcome.error}  # a line stopped by its budget

    stopped: list[str] = []
    name = printable(getattr(batch, "name", "the batch"))
    with Pool() as pool:
        # each line is bounded by its budget, and the lines together by their pace: 100,000 lines each just
        # under its budget would take days
        pace = Pace("the batch's lines", pool.size, "split the batch, or make its expressions simpler")
        chunk: list[bytes] = []
        for raw in itertools.chain(_bounded_lines(batch, solver.MAX_LINE * 4, stopped), [None]):
            if raw is not None and raw.strip():
                chunk.append(raw)
            if chunk and (raw is None or len(chunk) == 256):
                budgets = [solver.budget_of(line) for line in chunk]
                for i, line in enumerate(chunk):
                    pace.add(LINE_SHARE * budgets[i])
                    pool.submit(i, budgets[i], solver.solve_line, line)
                try:
                    done = {o.task: answer(o, chunk[o.task])
                            for o in pace.over(pool.completed(), lambda i, budgets=budgets: LINE_SHARE * budgets[i])}
                except TooSlow as exc:
                    _fail([f"{name}: {exc}"])
                for i in range(len(chunk)):
                    click.echo(json.dumps(done[i]))
                chunk = []
    if stopped:
        _fail([f"{name}: {stopped[0]}"])


# the share of its budget a batch's line may take on average: a learner's derivative takes well under a second of
# its 10, a deep third derivative 3 s
LINE_SHARE = 0.4
MAX_BATCH_LINES = 100_000  # lines of one --batch; a stream without end (/dev/urandom piped in) stops there


def _open_batch(path: Path):
    """The batch's stream: standard input for "-", else a regular file (never a FIFO, which would block,
    nor a device, which never ends)."""
    import stat

    if str(path) == "-":
        try:
            return click.get_binary_stream("stdin")
        except RuntimeError:
            _fail(["--batch -: standard input is closed; give the batch from a file or a pipe"])
    try:
        kind = os.stat(path).st_mode
    except OSError as exc:
        _fail([f"{_plain(str(path), 80)}: {exc.strerror}"])
    if not stat.S_ISREG(kind):
        _fail([(f"{_plain(str(path), 80)}: not a regular file (a pipe or a device?); give a file of JSON lines, or - "
               "for standard input")])
    return open(path, "rb")


def _bounded_lines(stream, limit: int, stopped: list, most: int = 64 << 20):
    """The stream's lines, none read whole past ``limit`` bytes: a longer one is cut there (and so
    refused as too long) and the rest of it skipped; one running past ``most`` bytes (a link to
    /dev/zero) ends the batch, and so do more than MAX_BATCH_LINES lines, noted in ``stopped``."""
    count = 0
    while line := stream.readline(limit + 1):
        count += 1
        if count > MAX_BATCH_LINES:
            stopped.append(f"more than {MAX_BATCH_LINES} lines; the rest of the batch was not read (split it)")
            return
        if count == 1 and line.startswith(b"\xef\xbb\xbf"):  # a byte-order mark, as Windows editors save UTF-8
            line = line[3:]
        if len(line) > limit and not line.endswith(b"\n"):
            skipped = 0
            while (rest := stream.readline(1 << 16)) and not rest.endswith(b"\n"):
                skipped += len(rest)
                if skipped > most:
                    stopped.append(f"a line runs past {most >> 20} MB with no end; the rest of the batch was not read")
                    yield line
                    return
        yield line


def _say(text: str, err: bool = False) -> None:
    """Print one line that holds what a file or the user gave (a family's title, a prompt, a path, an
    environment variable): nothing in it reaches the terminal as a control, line-break or
    bidirectional character."""
    click.echo(_plain(text, 100_000), err=err)


def _plain(text: str, limit: int) -> str:
    from workbook.errors import printable

    shown = printable(text)
    if len(shown) <= limit:
        return shown
    # the middle goes: a line's end says what went wrong (a path 600 characters long, then "File name too long")
    tail = limit // 3
    return shown[: limit - tail - 1] + "\u2026" + shown[-tail:]


@main.command(name="list")
@click.option("--topic", help="Only this topic.")
@click.option("--bank", "bank_folders", multiple=True, type=_Named(path_type=Path, exists=True, file_okay=True),
              help="A folder (or file) of extra problem families; may be repeated.")
def list_families(topic: str | None, bank_folders: tuple[Path, ...]) -> None:
    """List the problem families with topic, difficulty and one sample."""
    from workbook.bank import load_bank
    from workbook.scheduler import samples

    if topic is not None and not topic.strip():  # an unset shell variable: not every topic (attack51 F11)
        _fail(["--topic is empty: give a topic (workbook list shows them all)"])
    broken: list[str] = []
    try:
        bank = load_bank(list(bank_folders), broken)  # a broken file is reported; the others are listed
    except InputError as exc:
        _fail(exc.lines)
    # an author's own families first (user55 F15: they stood under 110 lines of the built-in families); a file's
    # mistakes are the one line each on stderr at the end, exit 2
    own = {id(f) for f in bank.values() if _in_folders(getattr(f, "path", None), bank_folders)}
    families = sorted(bank.values(), key=lambda f: (id(f) not in own, f.topic, f.difficulty, f.id))
    if topic:
        families = [f for f in families if f.topic == topic]
        if not families:
            topics = ", ".join(sorted({f.topic for f in bank.values()}))
            _fail([*broken, f"no family has topic '{_plain(topic, 40)}'; the topics are: {topics}"
                   + ("; a family file that could not be read (above) may be the one" if broken else "")])
    for f, drawn in zip(families, samples(families, 0, "sample")):
        why = re.sub(r'^seed [0-9]+: ', '', drawn) if not isinstance(drawn, dict) else ""
        if getattr(drawn, "code", 1) == 2:  # the file's mistake at any seed (a placeholder it names that its kind does
            broken.append(f"{f.path}: {why}")  # not fill): an error, as build and check say (attack55 F5: exit 0)
        sample = _plain_prompt(drawn["prompt"]) if isinstance(drawn, dict) else f"(no sample: {why})"
        missing = None
        if id(f) in own and isinstance(drawn, dict):  # (a few draws: a given the prompt leaves out can be a number
            # it prints for something else at one seed, as at = 2 beside 2x^3 at seed 0)
            for extra in [drawn] + [r for r in samples([f] * 3, 1, "sample") if isinstance(r, dict)]:
                missing = missing or _unstated(f, extra)
        if missing:  # what check says FAIL for, said here too: list reports every mistake in a file (user57 F10)
            broken.append(f"{f.path}: prompt: {missing}")
        click.echo(_plain(f"{f.id}  [{f.topic}, difficulty {f.difficulty}, {f.kind}]  {f.title}", 400))
        click.echo(_plain(f"    e.g. {sample}", 2000))
    if broken:
        _fail(broken)


def _unstated(family, record: dict) -> str | None:
    """What a drawn problem's answer depends on that its prompt does not state, said as check says it; or None."""
    from workbook.givens import unstated
    from workbook.kinds import registry

    declared = registry()[family.kind].givens
    missing = unstated(declared(record["claims"]), record["prompt"]) if declared is not None else []
    if not missing:
        return None
    name, value = missing[0]
    return (f"does not state what its answer depends on ({', '.join(sorted({n for n, _ in missing}))}; here "
            f"{name} = {value}): put it in the prompt with its placeholder (see docs/family-reference.md)")


def _in_folders(path, folders) -> bool:
    """Whether a family's file is one of --bank's (a folder's, or the file itself)."""
    if path is None:
        return False
    try:
        here = Path(path).resolve()
        return any(here == (f := Path(folder).resolve()) or f in here.parents for folder in folders)
    except OSError:
        return False


def _plain_prompt(segments: list[dict]) -> str:
    from workbook.segments import plain

    return plain(segments)


@main.command()
@click.argument("family")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, 2**53), help="Which draw.")
@click.option("--bank", "bank_folders", multiple=True, type=_Named(path_type=Path, exists=True, file_okay=True),
              help="A folder (or file) of extra problem families; may be repeated.")
@click.option("--try", "attempt", is_flag=True,
              help="Print the problem, wait for your answer, judge it, then show the worked solution.")
def show(family: str, seed: int, bank_folders: tuple[Path, ...], attempt: bool) -> None:
    """Print one problem of FAMILY with its worked solution and answer."""
    from workbook.bank import load_bank
    from workbook.scheduler import TOO_MUCH, samples
    from workbook.segments import plain, plain_lines

    try:
        bank = load_bank(list(bank_folders))
    except InputError as exc:
        _fail(exc.lines)
    if family not in bank:
        from workbook.edition import did_you_mean

        _fail([(f"unknown family '{_plain(family, 40)}'; {did_you_mean(family, bank)}`workbook list` shows the "
                "families; one of your own needs its folder: --bank FOLDER")])
    record = samples([bank[family]], seed, "show")[0]
    if isinstance(record, str):
        # a family given up as one that cannot be drawn is a mistake in its file (exit 2); anything else, ours
        _fail([f"{bank[family].path}: family {family!r} could not be drawn at seed {seed}: {record}"],
              code=2 if record.endswith(TOO_MUCH) or getattr(record, "code", 1) == 2 else 1)
    _say(f"{record['title']}  [{record['family']}, seed {seed}]")
    click.echo("")
    for line in plain_lines(record["prompt"]):  # a table to fill in as a grid, on lines of its own
        _say(line)
    click.echo("")
    if attempt:
        _attempt(record)
    click.echo("Worked solution:")
    for step in record["steps"]:
        indent = "  " * (step["depth"] + 1)
        said = plain_lines(step["say"], indent)
        opens = bool(said) and "table" not in step["say"][0]  # words first: on the rule's line
        _say(f"{indent}{step['rule']}. {said[0].strip() if opens else ''}".rstrip())
        for line in said[1:] if opens else said:
            _say(line)
        if step["math"]:
            _say(f"{indent}  {plain([{'math': step['math']}])}")
    click.echo("")
    answer = plain_lines(record["answer"])
    _say("Answer: " + (answer[0].strip() if answer else ""))
    for line in answer[1:]:
        _say(line)
    _say(f"Checked: {record['verified']['method']}")


ANSWER_LIMIT = 4096  # characters in one answer to show --try


JUDGE_BUDGET = 10.0  # seconds to judge one typed answer, in a worker (as `solve --check` has)
JUDGE_TOTAL = 60.0  # seconds of judging one problem's answers may take in all (answers piped in could go on for days)


def _attempt(record: dict) -> None:
    """Ask for the learner's answer until it can be read (or input ends), and judge it."""
    from workbook import judge

    want = judge.expected(record)
    if want is None:
        click.echo("This problem's answer is not judged here: compare yours with the answer below.\n")
        return
    try:
        stdin = click.get_binary_stream("stdin")
    except RuntimeError:  # stdin closed
        click.echo("(no answer: here is the solution)\n")
        return
    judging = 0.0
    while True:
        if judging > JUDGE_TOTAL:
            click.echo(f"\n(the answers took over {JUDGE_TOTAL:g} s to judge: here is the solution)\n")
            return
        click.echo(f"Your answer ({want.what}): ", nl=False)
        raw = stdin.readline(ANSWER_LIMIT + 1)
        if not raw:
            click.echo("\n(no answer: here is the solution)\n")
            return
        if len(raw) > ANSWER_LIMIT and not raw.endswith(b"\n"):
            skipped = 0  # the rest of an endless line is read in pieces and dropped, never held
            while (rest := stdin.readline(1 << 16)) and not rest.endswith(b"\n") and skipped < 64 << 20:
                skipped += len(rest)
            _say(f"  an answer is at most {ANSWER_LIMIT} characters; try again, or press Ctrl-D to see the solution",
                 err=True)
            if skipped >= 64 << 20:
                click.echo("\n(no answer: here is the solution)\n")
                return
            continue
        text = raw.decode("utf-8", "replace").strip()
        outcome = _in_worker(JUDGE_BUDGET, judge.judged, want, text)  # an answer can be costly: budgeted
        judging += outcome.seconds
        if not outcome.ok:
            _say(f"  your answer took too much to judge ({outcome.error}); write it more simply, or press Ctrl-D "
                 "to see the solution", err=True)
            continue
        verdict, lines = outcome.value
        if verdict is None:
            _say(f"  {lines[0]}; try again, or press Ctrl-D to see the solution", err=True)
            continue
        for line in lines:
            _say(line)
        click.echo("")
        return


@main.command()
@click.argument("target", required=False)
@click.option("--seeds", default="1..100", show_default=True, help="A range like 1..500.")
@click.option("--family", "family_id", help="Only this family (by id).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), help="Worker processes (default: one a core).")
@click.option("--cluster", metavar="ADDRESS",
              help="Run the draws and layouts on a Dask cluster: a scheduler's address (tcp://host:8786), or "
                   "'local' for a LocalCluster here (default: WORKBOOK_CLUSTER; needs pip install -e '.[cluster]').")
def check(target: str | None, seeds: str, family_id: str | None, jobs: int | None, cluster: str | None) -> None:
    """Run families over many seeds: TARGET is a family id, a family file or a folder of them (the
    built-in bank if left out). Reports failures with the seed that reproduces each, redrawn draws,
    repeats and the spread of answers. Exits 1 if any family fails (a file that does not load is one)."""
    from workbook.bank import load_bank
    from workbook.bankcheck import check_family, parse_range
    from workbook.cluster import ClusterPool, address_of, open_pool

    if target is not None and not target.strip():  # an unset shell variable: not the whole built-in bank (attack50 F6)
        _fail([("TARGET is empty: name a family id, a family file or a folder of them, or leave it out for the "
                "built-in bank")])
    broken: list[str] = []  # what is wrong with the family files that do not load: each a failure, the others
    unread: list[Path] = []  # still checked
    try:
        span = parse_range(seeds)
        path = Path(target) if target else None
        if path is None:
            families = list(load_bank(None, broken, unread=unread).values())
        elif path.is_dir():  # the folder on its own: a colleague's copy of a built-in family is checked too
            families = list(load_bank([path], broken, builtin=False, unread=unread).values())
        elif path.is_file():  # read as --bank reads a file named: a link out or a hard link refused (attack60 F6)
            families = list(load_bank([path], builtin=False).values())
        else:
            bank = load_bank()
            if target not in bank:
                raise ValueError(f"{target!r} is neither a family id nor a file or folder; "
                                 "`workbook list` shows the families")
            families = [bank[target]]
    except InputError as exc:
        _fail(exc.lines)
    except ValueError as exc:
        _fail([str(exc)])
    if family_id:
        families = [f for f in families if f.id == family_id]
        if not families:  # it may be in a file that did not load: say what is wrong with those
            why = f"; {len(unread)} file{'s' * (len(unread) != 1)} did not load: {broken[0]}" if broken else ""
            _fail([f"no family '{_plain(family_id, 60)}' here{why}"])
        broken, unread = [], []  # the family asked for loaded: the others' faults are not this check's
    if not families and not unread:  # a check that checked nothing is no pass (attack25: "0 failing", exit 0)
        _fail(broken or [(f"{_plain(target or '', 60)}: no family file here (a family is a .toml file in the folder "
                          "itself, not in a folder inside it)")])
    for line in broken:
        _say(f"FAIL {line}")
    failed = len(unread)
    try:
        pool = open_pool(jobs, address_of(cluster))
        if isinstance(pool, ClusterPool):
            pool.open()
    except InputError as exc:
        _fail(exc.lines)
    with pool:
        for family in sorted(families, key=lambda f: f.id):
            report = check_family(family, span, pool=pool)
            failed += bool(report.failures or report.unstated)
            _say(report.line())
            # (the draw's own seed, which each reason begins with, left out)
            said = [(seed, re.sub(r"^seed [0-9]+: ", "", reason)) for seed, reason in report.failures]
            if len(said) > 1 and len({text for _, text in said}) == 1 and \
                    all(getattr(r, "code", 1) == 2 for _, r in report.failures):
                # the file's own mistake (a placeholder it names that the kind does not fill), the same at every
                # seed: said once, with the file, not a FAIL a seed (user49 F2: twenty lines for twenty seeds)
                _say(f"    FAIL at every seed: {family.path}: {said[0][1]}")
            else:
                for seed, text in said[:5]:
                    _say(f"    FAIL seed {seed}: {text}")
            for note in report.notes():
                _say(f"    note: {note}")
    files = f" and {len(unread)} file{'s' * (len(unread) != 1)} that did not load" if unread else ""
    click.echo(f"{len(families)} families{files}, {len(span)} seeds each: {failed} failing")
    sys.exit(1 if failed else 0)


@main.command()
@click.option("--topic", required=True, help="The topic (see `workbook list`).")
@click.option("--count", default=10, show_default=True, type=click.IntRange(1, 60), help="How many problems.")
@click.option("--difficulty", type=click.IntRange(1, 3), help="Only families of this difficulty.")
@click.option("--seed", type=click.IntRange(0, 2**53),
              help="Which draw; a new one each time if left out (printed on the sheet, to make the same set again).")
@click.option("--paper", type=click.Choice(["A4", "Letter"]), default="A4", show_default=True, help="Paper size.")
@click.option("--out", "out_root", type=_Folder(), default=Path("build"),
              show_default=True, help="The build folder; the set goes into OUT/practice-<topic>-<difficulty or all>-<seed>/.")
@click.option("--bank", "bank_folders", multiple=True, type=_Named(path_type=Path, exists=True, file_okay=True),
              help="A folder (or file) of extra problem families; may be repeated.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors and notes (what a build removed or kept, and why): no progress, no list of files.")
def practice(topic: str, count: int, difficulty: int | None, seed: int | None, paper: str, out_root: Path,
             bank_folders: tuple[Path, ...], quiet: bool) -> None:
    """Write a practice set on one topic, with room to work and the answers and worked solutions at the
    back, as one PDF (and HTML), without an edition file."""
    import secrets

    from workbook.bank import load_bank
    from workbook.build import build_edition, shell_word, shown
    from workbook.edition import practice_edition

    if not topic.strip():
        _fail(["--topic: give a topic; `workbook list` shows them"])
    seed = secrets.randbelow(1_000_000) if seed is None else seed
    try:
        bank = load_bank(list(bank_folders))
        edition = practice_edition(topic, count, difficulty, seed, paper)
        edition.rebuild = " ".join(
            ["workbook practice", f"--topic {shell_word(topic)}", f"--count {count}"]
            + ([f"--difficulty {difficulty}"] if difficulty else []) + [f"--seed {seed}"]
            + ([f"--paper {paper}"] if paper != "A4" else [])
            + [f"--bank {shown(b)}" for b in bank_folders])
        result = build_edition(edition, bank, out_root=out_root, documents=("practice", "interactive"))
    except InputError as exc:
        # the title and the section's heading are made from the topic: a topic too long is said once, as itself
        lines = [line for line in exc.lines if "sections[0].topic" in line] or exc.lines
        _fail([line.replace("practice: sections[0].topic", "--topic").replace("practice: sections[0].difficulty",
                                                                              "--difficulty") for line in lines])
    except BuildError as exc:
        if getattr(exc, "too_many", False):  # not "the edition ... the section's count, or --versions"
            at = f" at difficulty {difficulty}" if difficulty else ""
            _fail([f"--count {count}: '{_plain(topic, 40)}'{at} has fewer different problems than that; ask for fewer"])
        _fail([str(exc)], code=exc.code)
    if not quiet:  # as build's: a script that makes many sets reads the files, not the lines
        _say(f"wrote {result.problems} problem{'s' * (result.problems != 1)} on {topic} (seed {seed}) into "
             f"{result.out_dir}")
        _list_files(result.files)


@main.command()
@click.argument("file", type=_Named(path_type=Path, dir_okay=False))
def new(file: Path) -> None:
    """Write a starter edition to FILE, every key commented, ready to build and change."""
    import secrets

    from workbook.resources import editions_dir

    starter = (editions_dir() / "starter.toml").read_text(encoding="utf-8")
    # a seed of its own: the shipped editions' 2026 would draw problems their solutions books print
    starter = starter.replace("seed = 2026 ", f"seed = {secrets.randbelow(900_000) + 100_000}", 1)
    try:
        with open(file, "x", encoding="utf-8") as handle:  # never over a file already there
            handle.write(starter)
    except FileExistsError:
        _fail([f"{_plain(str(file), 80)} already exists; choose another name (nothing was changed)"])
    from workbook.build import shown

    _say(f"wrote {file}: change it, then `workbook build {shown(file)}`")


@main.command()
@click.option("--out", "out_root", type=_Folder(), default=Path("build"),
              show_default=True, help="The build folder to clean.")
@click.option("--cache", "cache_only", is_flag=True, help="Remove only the cache; keep every edition.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask first (on a terminal, clean lists what it would "
                                                 "remove and asks).")
def clean(out_root: Path, cache_only: bool, yes: bool) -> None:
    """Remove built editions (only folders workbook made, which carry its marker file) and the cache."""
    from workbook.staging import clean as run_clean
    from workbook.staging import cleanable

    if not cache_only and not yes and sys.stdin.isatty() and sys.stdout.isatty():
        editions = cleanable(out_root)
        if editions:
            _say("this removes every sheet, key and export of: " + ", ".join(p.name for p in editions))
            if not click.confirm("remove them (and the cache)?", default=False):
                _say("nothing removed (workbook clean --cache removes the cache alone)")
                return
    from workbook.areas import trusted_files
    from workbook.errors import InTheWay

    try:
        removed, skipped, kept = run_clean(out_root, cache_only=cache_only, trusted=trusted_files)
    except InTheWay as exc:
        _fail([str(exc)], code=exc.code)
    for path in removed:
        _say(f"removed {path}")
    for note in kept:
        _say(note)
    if not removed and not skipped and not kept:  # (after "could not remove all of ...", no "nothing to clean": attack39)
        # a mistyped --out told it names no folder, not only that there was nothing in it (attack62 F3)
        there = "" if out_root.is_dir() else " (no folder of that name: check --out)"
        _say(f"nothing to clean in {out_root}{there}")
    if skipped:
        _fail([f"skipped {why}" for why in skipped], code=1)
