"""Bounded execution for grading: checking processes with time and memory limits, worker pools, the carry-forward service."""
