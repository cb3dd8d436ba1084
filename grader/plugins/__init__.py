"""Registries of answer kinds and homework plugins, found through entry points and validated eagerly."""
