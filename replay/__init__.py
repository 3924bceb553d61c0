"""Auditor tools: verify signatures, hash chains and checkpoints offline, replay any record or
report as of a date on either time axis, and export or check self-contained audit bundles.
"""
