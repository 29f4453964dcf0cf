"""Exchange with other QDA programs through the REFI-QDA standard.

Codebooks travel as `.qdc` (namespace `urn:QDA-XML:codebook:1.0`) and whole projects as `.qdpx`
(a zip of `project.qde` and `sources/`, namespace `urn:QDA-XML:project:1.0`). The official
schemas ship in `schemas/`; everything written is validated against them before it is written.
"""
