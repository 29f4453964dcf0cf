"""Exporters: Word reports of themed quotes, quote tables, and reviewers' comments coming back."""
