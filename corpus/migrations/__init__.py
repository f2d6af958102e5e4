"""Alembic migrations of the corpus schema; run them with ``laocorpus db upgrade``.

The script location is set in code (corpus/schema.py), so no alembic.ini is needed.
"""
