"""The codebooks that ship with qualcode."""

from __future__ import annotations

from pathlib import Path

SHIPPED_DIR = Path(__file__).parent / "shipped"
KVP_CODEBOOK = SHIPPED_DIR / "kvp.yaml"
