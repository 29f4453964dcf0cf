"""Coding: applying codes to passages, memos, and undo/redo over the event log."""
