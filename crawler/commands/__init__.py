"""Project commands (``COMMANDS_MODULE``): ``scrapy crawl`` with meaningful exit codes."""
