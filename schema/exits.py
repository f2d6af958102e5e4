"""The exit statuses of a crawl and of every ``laocorpus`` command, declared once.

Why in schema/: ``scrapy crawl``, Scrapyd, distributed workers and ``laocorpus`` end a crawl
through the same lifecycle (crawler/extensions/lifecycle.py), and cron tells a held lock from a
failure by these numbers; the README's table lists them.
"""

EXIT_FAILED = 1  # the work failed: a crawl run, the database, `db current` found another revision
EXIT_USAGE = 2  # misuse: unknown command, option, site or field, an invalid value (click's 2)
EXIT_IO = 74  # EX_IOERR: a file the command writes (output, log, lock) could not be written
EXIT_LOCKED = 75  # EX_TEMPFAIL: another crawl of the site runs; cron may simply try again later
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
