"""Computed answer keys of the built-in homeworks (written by `grader key`, never by hand)."""
