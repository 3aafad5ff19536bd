"""``make simulate``: replay a seeded day for one street through the real services and clock."""
