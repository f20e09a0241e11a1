"""What the projection tests build with: view tables compared before and after a rebuild, and the volunteer
station's day, start time and tables."""
from __future__ import annotations

from datetime import datetime, timezone

from projections import volunteer as volunteer_views


def snapshot(services, tables: list[str], order_by: dict[str, str] | None = None) -> dict[str, list[dict]]:
    """Every row of every table, in a stable order."""
    rows = {}
    for table in tables:
        data = services.views.all(f"SELECT * FROM {table}")
        rows[table] = sorted(data, key=lambda r: repr(sorted(r.items())))
    return rows


VOLUNTEER_TABLES = list(volunteer_views.projection.tables)
DAY = "2026-05-03"
START = datetime(2026, 5, 3, 1, 0, tzinfo=timezone.utc)


def community_row(services, community_id):
    return services.views.one("SELECT * FROM dir_places WHERE id = ?", (str(community_id),))
