"""The charity-venture grants context's pages."""
