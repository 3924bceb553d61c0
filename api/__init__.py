"""The HTTP API (FastAPI): signed statements in; streams, sessions and health out."""
