"""Rendering figures: SVG charts and the Markdown/HTML/JSON report."""
