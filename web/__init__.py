"""Linli's web layer: Starlette routes, Jinja2 templates, htmx; also the CLI."""
