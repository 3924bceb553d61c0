"""The pure domain: aggregates, their signed events, data models, rules and permissions.

Nothing here performs I/O or imports a database, HTTP, Kafka or smart-card library; values go in,
events and errors come out (import-linter enforces this).
"""
