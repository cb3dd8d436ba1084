"""Checkers: one module per answer kind, each a pure function returning a Verdict."""
