"""The volunteer read model (to be built)."""
from __future__ import annotations

from projections.base import Projection

projection = Projection(name="volunteer", tables={})
