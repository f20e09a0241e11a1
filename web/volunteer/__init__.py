"""The volunteer context's pages."""
