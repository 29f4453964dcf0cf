"""Intercoder agreement: units, statistics, and the agreement and disagreements of a selection."""
