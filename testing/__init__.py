"""Test harnesses that are not part of the product: real WordPress sites for the test suite."""
