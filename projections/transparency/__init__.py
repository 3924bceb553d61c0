"""The transparency log: every notification's event hash as a leaf of an RFC 9162 Merkle tree,
signed checkpoints over it, and the inclusion and consistency proofs it serves."""
