"""Read models: events + a tracking position → view rows, in one transaction per batch."""
