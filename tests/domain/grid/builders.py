"""What the grid domain tests build with: a refusal that must record nothing."""
from __future__ import annotations

import pytest


def events(app) -> int:
    return app.recorder.max_notification_id() or 0


def refused(app, error, fn, *args, **kwargs):
    """The command is refused with `error` and records nothing; the error, to read its message."""
    before = events(app)
    with pytest.raises(error) as caught:
        fn(*args, **kwargs)
    assert events(app) == before
    return caught.value
