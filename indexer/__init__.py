"""Crawl, extract and index the news that colleges publish on their websites."""
