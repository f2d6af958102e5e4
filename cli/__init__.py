"""``laocorpus``: one module per command group; arguments and printing, no SQL and no logic."""
