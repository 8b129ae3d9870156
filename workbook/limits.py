"""Limits on what one build may ask for, in a module of their own so that the command line can
name them in its options without importing the edition's schema (and SymPy with it)."""

MAX_VERSIONS = 100
MAX_PROBLEMS = 400  # problems in one copy of an edition: a workbook of 400 is already a term's work
MAX_DRAWN = 5000  # problems across all versions (versions x problems): about 20 minutes on 2 cores
