"""Writing plan data as YAML for tests: the exact values, one value per line."""

from __future__ import annotations

import json
import math
import re
from typing import Any


def yaml_text(value: Any) -> str:
    """``value`` as YAML in JSON's layout (one value per line), with YAML's own .inf and
    .nan; text is double-quoted, so it reads back exactly as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # Characters YAML cannot hold as they are, or reads as line breaks, are escaped.
        text = json.dumps(value, ensure_ascii=False)
        for ch in ("\x85", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff"):
            text = text.replace(ch, f"\\u{ord(ch):04x}")
        return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)
    if isinstance(value, (list, tuple)):
        return "[\n" + ",\n".join(yaml_text(v) for v in value) + "\n]"
    assert isinstance(value, dict)
    return "{\n" + ",\n".join(f"{yaml_text(k)}: {yaml_text(v)}" for k, v in value.items()) + "\n}"
