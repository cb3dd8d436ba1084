"""Grading a class folder (`grader grade`): discover, worker, run, stats, outputs."""

from grader.batch.run import grade_folder, worker_count

__all__ = ["grade_folder", "worker_count"]
