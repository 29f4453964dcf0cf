"""Codebooks: the YAML format, validation, and the codes of a project."""
