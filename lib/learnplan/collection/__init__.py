"""Working with an Anki collection: safe re-import, records, memory numbers."""
