"""One module per schema revision, oldest first (``0001_foundation`` is the first release)."""
