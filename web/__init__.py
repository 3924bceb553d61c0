"""The web application (issue 14): server-rendered pages in Thai for the people the ledger serves.

An edge beside ``api`` and ``cli``: it reads through the API's dependencies, access rules and the
Reports facade, and writes through the ledger's application services, never the database.
"""
