"""Linli's domain: one package per bounded context (model, policies, service, inputs) over a shared kernel.

Imports nothing but the standard library and `eventsourcing`."""
