"""Hacker News domain code: API clients, the sample archive, titles, cleaning and parsing.

Plain Python with no Dagster imports; ``hn_assets.defs`` wraps it.
"""
