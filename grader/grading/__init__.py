"""The grading engine: a submission, a homework and its key in, a Result out."""
