"""Text of the corpus: Lao normalization, segmentation and shingles; the identity of a URL."""
