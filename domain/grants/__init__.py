"""Charity-venture grants (公益创投): organisations, calls with a pool, applications, scored review, awards, tranches."""
