"""Smart-card adapters: the Thai national ID card over PC/SC (pyscard), card-bound signing tokens
(OpenPGP-style card, PKCS#11) behind ``ledger.signing.Signer``, and virtual cards for tests.
"""
