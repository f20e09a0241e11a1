"""Accounts and places: sign-up, residency, roles, erasure; who is who (the facts other contexts decide on)."""
