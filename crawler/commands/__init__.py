"""The project's Scrapy commands (``COMMANDS_MODULE``): ``crawl`` with real exit statuses."""
