"""Parse files from outside into validated frames and domain objects; the trust boundary."""
