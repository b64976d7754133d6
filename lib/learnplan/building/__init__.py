"""Building packages: note types, decks, the embedded manifest, safe outputs."""
