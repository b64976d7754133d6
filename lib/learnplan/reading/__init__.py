"""Reading plans: YAML outlines, Markdown card files, id write-back, new plans."""
