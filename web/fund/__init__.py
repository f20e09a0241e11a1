"""The fund context's pages."""
