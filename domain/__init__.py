"""Linli's domain: aggregates, their events and rules, and the use cases that save them.

Imports nothing but the standard library and `eventsourcing`."""
