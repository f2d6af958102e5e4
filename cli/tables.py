"""Tables an operator can read at any width: a table when it fits, else one block per record.

Why: a rich table wider than the terminal squeezes its columns to ``s…`` and ``r…``, and cron
logs and pipes get 80 columns. Every value must stay readable there, so a table that would
not fit whole is printed as blocks instead: a heading line per record, then one
``label: value`` line per field, never cut (long values run on; the reader's pager wraps).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text


def print_records(
    console: Console,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: frozenset[str] | set[str] = frozenset(),
    heading: int = 1,
) -> None:
    """Print ``rows`` under ``headers`` as a table if it fits ``console.width``, else as blocks.

    In a block, the first ``heading`` cells make the heading line, each other text field has
    a line, and the ``right`` (numeric) fields share one line; empty cells are left out.
    """
    table = Table(title=title)
    for header in headers:
        table.add_column(header, justify="right" if header in right else "left", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    unbounded = console.options.update_width(100_000)
    if Measurement.get(console, unbounded, table).maximum <= console.width:
        console.print(table)
        return
    console.print(Text(title, style="bold"), soft_wrap=True)
    if not rows:
        console.print("  (none)", soft_wrap=True)
    fields = [h for h in headers[heading:] if h not in right]
    width = max((len(header) for header in fields), default=0)
    for row in rows:
        cells = dict(zip(headers, row, strict=True))
        lead = " · ".join(f"{h} {cells[h]}" for h in headers[:heading] if cells[h])
        console.print(Text(lead, style="bold"), soft_wrap=True)
        for header in fields:
            if cells[header] != "":
                console.print(Text(f"  {header:<{width}}  {cells[header]}"), soft_wrap=True)
        counts = [f"{h} {cells[h]}" for h in headers[heading:] if h in right and cells[h] != ""]
        if counts:
            console.print(Text("  " + " · ".join(counts)), soft_wrap=True)


SECTION = None  # a row of :func:`print_counts` that draws a line between two groups of rows


def print_counts(
    console: Console,
    title: str,
    rows: Sequence[tuple[str, object] | None],
    headers: tuple[str, str] | None = None,
) -> None:
    """A two-column table of labels and right-aligned values (``None`` rows: a section line);
    without ``headers``, no header row. Labels are short, so it always fits 80 columns."""
    table = Table(title=title, show_header=headers is not None)
    table.add_column(headers[0] if headers else "")
    table.add_column(headers[1] if headers else "", justify="right")
    for row in rows:
        if row is SECTION:
            table.add_section()
        else:
            table.add_row(str(row[0]), str(row[1]))
    console.print(table)
