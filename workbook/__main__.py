"""`python -m workbook`: the same as the `workbook` command.

`python -m` puts the current folder first on Python's path, so a folder someone else made (one
holding their edition, say) could hold a `click.py` or `sympy.py` that the command would import. That
entry is dropped before anything else is imported, unless the current folder is where workbook itself
lives (a checkout, run from its root).

What this file cannot do: Python finds the `workbook` package itself before running this file, so a
folder holding a `workbook/` package of its own runs that instead. In a folder someone else made, run
the `workbook` command, or `python -P -m workbook` (Python 3.11's -P leaves the current folder off the path).
"""

import os
import sys

_HOME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == os.getcwd() != _HOME:
    del sys.path[0]

from workbook.cli import run  # after the path is made safe

run()
