"""``N_``: marks a catalogue id for extraction (``pybabel -k N_``) without translating it.

The id is translated where it is shown, in the reader's language. Domain code marks its
messages with this one function; ``gridgov.web.labels`` re-exports it for templates' lists.
"""

from __future__ import annotations


def N_(message: str) -> str:
    return message
