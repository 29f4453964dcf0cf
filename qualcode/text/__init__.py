"""Text handling: normalisation, Norwegian tokens and stems with offsets, sentences."""
