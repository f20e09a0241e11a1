"""Every projection, in the order the runner feeds them."""
from __future__ import annotations

from projections import directory, fund, roundtable, volunteer

ALL = [directory.projection, roundtable.projection, volunteer.projection, fund.projection]
