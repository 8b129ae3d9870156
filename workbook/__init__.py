"""workbook: printable Calculus for Deep Learning workbooks with checked answers."""

__version__ = "0.1.0"
