"""The write model: the pure domain, signed statements, the ledger application and its settings.

Nothing in this package imports from ``projections``, ``card``, ``replay``, ``api`` or ``cli``
(DESIGN.md section 2); those packages build on it.
"""
