"""Every field of a post and every counter of a crawl run, each declared once.

Why a room of its own, importing nothing of the project: the crawl's item, the writer's
change hash, the exports and their Parquet schema, the corpus card and the ground-truth
comparison all derive their field lists from :data:`POST_FIELDS`, so adding a field is one
entry here plus a migration (CONTRIBUTING.md).
"""

from schema.posts import (
    COLUMNS,
    COMPARED_FIELDS,
    EXPORT_FIELDS,
    FIELD_SCHEMA,
    ITEM_FIELDS,
    OPTIONAL_COMPARED,
    POST_FIELDS,
    RECORD_FIELDS,
    PostField,
)
from schema.runs import (
    BATCH_COUNTERS,
    COUNTER_COLUMNS,
    RUN_COUNTERS,
    SUMMARY_COUNTERS,
    RunCounter,
)

__all__ = [
    "BATCH_COUNTERS",
    "COLUMNS",
    "COMPARED_FIELDS",
    "COUNTER_COLUMNS",
    "EXPORT_FIELDS",
    "FIELD_SCHEMA",
    "ITEM_FIELDS",
    "OPTIONAL_COMPARED",
    "POST_FIELDS",
    "RECORD_FIELDS",
    "RUN_COUNTERS",
    "SUMMARY_COUNTERS",
    "PostField",
    "RunCounter",
]
