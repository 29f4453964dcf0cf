"""Anonymisation: detectors, the pseudonym key, applying it at import, and the leak guard."""
