"""What visitors send, read once and checked alike at every entry point.

Two things got past the views and sockets to fail deep inside (issue 13):

- JSON nested a few thousand levels deep: Python's decoder raises RecursionError, which
  is not a ValueError, so `except ValueError` let it through as a 500 or a dropped socket.
  `loads` (and the API's `JSONParser`) turn it into a refusal that says so.
- A lone surrogate (`"\\ud800"` in JSON is valid, but is half of a character) and control
  characters: nh3, the UTF-8 encoding of a page or a calendar, and the database then fail.
  `check_text` refuses them with the character and where it is.
"""

import json
import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# C0 controls other than tab, newline and carriage return; DEL and the C1 controls; surrogates.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class BadInput(ValueError):
    """Input that cannot be used; the message says what is wrong, for the visitor."""


class NestedTooDeeply(BadInput):
    pass


def loads(text):
    """JSON from a visitor: the value, or BadInput (not JSON, or nested too deeply)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise NestedTooDeeply("That JSON is nested too deeply.") from None
    except (ValueError, TypeError):
        raise BadInput("That was not JSON.") from None


def check_text(value, what="The text"):
    """`value` if it is text that can be stored and shown; else BadInput naming the character."""
    match = _NOT_TEXT.search(value)
    if match is None:
        return value
    char = match.group()
    kind = "half of a surrogate pair" if "\ud800" <= char <= "\udfff" else "a control character"
    raise BadInput(f"{what} contains {kind} (U+{ord(char):04X}) at position {match.start() + 1}; send plain text.")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with deep nesting a 400 like any other parse error (was a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
