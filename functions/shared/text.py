"""What text the service accepts from callers, whatever the field."""

from __future__ import annotations

import re

# C0 and C1 control characters other than tab, line feed and carriage return, and UTF-16
# surrogates: a JSON string can carry them as escapes, but no UTF-8 text can hold an
# unpaired surrogate, and neither kind means anything in a customer's request.
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_UNSAFE = re.compile(f"[{_CONTROL}" + r"\ud800-\udfff]")
# What Python's str.strip() removes, less the control characters above; spelled out
# because `\s` means something different in each regex engine that reads the spec.
_SPACE = r" \t\n\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# The same rule as JSON Schema patterns, for the spec (a JSON string cannot hold an
# unpaired surrogate once decoded as UTF-8, so the patterns leave those out): any safe
# text, and safe text with at least one character that is not whitespace.
SAFE_TEXT_PATTERN = f"^[^{_CONTROL}]*$"
NON_BLANK_TEXT_PATTERN = f"^[^{_CONTROL}]*[^{_SPACE}{_CONTROL}][^{_CONTROL}]*$"

UNSAFE_CHARACTERS_MESSAGE = "text holds control characters or unpaired surrogates"


def has_unsafe_characters(text: str) -> bool:
    """Whether `text` holds a control character (other than tab and line breaks) or an
    unpaired UTF-16 surrogate."""
    return _UNSAFE.search(text) is not None
