"""The vocabulary every layer shares: models, verdicts, the homework API, keys, errors; imports nothing above it."""
