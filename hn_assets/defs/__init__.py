"""The Dagster layer of hn_assets: assets with their checks, sensors, automation, partitions,
resources, and ``definitions.py``, where they are wired together."""

#: Who answers for the platform's assets (the Dagster UI shows it on each asset).
OWNERS = ["team:hn-platform"]
