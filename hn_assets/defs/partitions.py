"""One partition per monthly "Who is hiring?" thread, keyed ``YYYY-MM``."""

import dagster as dg

HIRING_MONTHS = "hiring_months"

hiring_months = dg.DynamicPartitionsDefinition(name=HIRING_MONTHS)
