"""qualcode: coding and thematic analysis of pseudonymised interview transcripts."""

__version__ = "0.1.0"
