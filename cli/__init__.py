"""The ``ledger`` command line: init, operators, submit, serve, demo."""
