"""Card text to HTML (Markdown, maths, cloze, media), sanitised last; the plan folder's files."""
