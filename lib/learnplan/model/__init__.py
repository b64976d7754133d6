"""The plan model and its rules: frozen dataclasses, limits, the dict form."""
