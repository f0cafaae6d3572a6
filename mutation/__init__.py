"""A small AST mutation tester for the core modules (``make mutation``).

Kept out of the Django apps and out of ``make test``: it rewrites a copy of
the repository one mutant at a time and runs the tests that cover the module
in a subprocess, so a mutant can never leak into the working tree.
"""
