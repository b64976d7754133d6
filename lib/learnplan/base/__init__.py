"""Foundations every layer may use: errors, atomic file writes, stable ids."""
