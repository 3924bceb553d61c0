"""``ledger demo``: the demo's loaders (operators, Tak's e-Plan table, a Nakhon Phanom LAO) and
their data."""
