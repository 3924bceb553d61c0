"""Drafting help shared by every edge (the command line and the web application): statement
templates from the event schemas (``templates``), drafts of corrections and voids from a stored
entry (``corrections``), and submitted drafts made ready to sign (``prepare``: NFC text, dates
in Buddhist or Christian era to ISO)."""
