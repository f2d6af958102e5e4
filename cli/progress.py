"""The progress bar of the long corpus commands (export, dedup, rehash), on stderr.

It shows only on a terminal and goes away when done, so piped output and logs stay clean.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn


def counting_bar(console: Console, label: str = "{task.description}") -> Progress:
    """``label`` (rich markup, may name the task's fields), a bar, done/total and the time."""
    return Progress(
        f"[bold]{label}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
