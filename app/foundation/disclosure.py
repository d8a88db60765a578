"""Small-number protection: the platform's threshold, one definition for every figure (coverage, item
statistics, knowledge gain). Installations may raise it with COVERAGE_MIN_CELL."""

#: A group of fewer people than this is withheld.
DEFAULT_THRESHOLD = 5
