"""What the action-day tests share: the day's date, its first start time, and small helpers."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

DAY = "2026-05-03"
START = datetime(2026, 5, 3, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai on the action day


def add_shift(linli, worker, day, places=2, start=START, hours=2, task="清扫楼道", min_age=None):
    return linli.volunteer.add_shift(worker, day, task, "3 号楼", start, start + timedelta(hours=hours), places, min_age)


def version(linli, aggregate_id):
    return linli.repository.get(aggregate_id).version
