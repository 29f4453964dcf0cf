"""Importers: one module per file format, all producing one ParsedDocument shape."""
