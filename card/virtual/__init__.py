"""Virtual cards for tests and the demo: a Thai ID card and an OpenPGP-style signing card.

Each answers the APDUs of the real thing. In integration tests it sits behind the real pcscd
through vsmartcard's virtual reader (``card.virtual.vpcd``), so pyscard talks to a real PC/SC
stack; for the demo it plugs straight into the reader code in process
(``card.virtual.inprocess``). The vpcd port accepts any card from anyone who can reach it: it
belongs on test machines only, never on an operator's PC (DESIGN.md section 4).
"""
