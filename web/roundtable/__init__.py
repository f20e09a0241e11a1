"""The roundtable context's pages."""
