"""Compare view tables before and after a rebuild."""
from __future__ import annotations


def snapshot(services, tables: list[str], order_by: dict[str, str] | None = None) -> dict[str, list[dict]]:
    """Every row of every table, in a stable order."""
    rows = {}
    for table in tables:
        data = services.views.all(f"SELECT * FROM {table}")
        rows[table] = sorted(data, key=lambda r: repr(sorted(r.items())))
    return rows
