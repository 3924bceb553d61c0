"""Kafka: the publisher that carries the notification log to a topic, and the consumers that
verify each envelope with nothing but public keys and build report views from it (DESIGN.md
section 7)."""
