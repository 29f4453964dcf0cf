"""Full-text search over Norwegian stems, with keyword-in-context results."""
