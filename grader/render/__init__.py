"""Renderers: each turns a finished Result into one output format, computing nothing new."""
