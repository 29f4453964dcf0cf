"""The terminal UI: a thin Textual face over the same services as the CLI."""
