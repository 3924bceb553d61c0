"""Read models over the ledger's notification log: registries, certification states, reports, the
Merkle transparency log and the Kafka publisher. Each view writes its rows and its tracking
position in one transaction, so a crash never loses or doubles an event.
"""
