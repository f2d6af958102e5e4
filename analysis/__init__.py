"""Reading the corpus to learn from it: near-duplicates and statistics."""
