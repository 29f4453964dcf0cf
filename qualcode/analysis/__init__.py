"""Analysis: counts, matrices, co-occurrence and agreement over codings."""
