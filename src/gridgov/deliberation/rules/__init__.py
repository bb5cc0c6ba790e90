"""Pure deliberation rules: procedures (四议两公开), quorum and decisions, public notices
(公示), personal data in notices, and elections. No I/O; ``now``/``today`` passed in.

The rules themselves are data. A procedure template (``data/*.yaml``, read by
:func:`load_procedure`) names its stages in order, the body that holds each, what each
body needs before it may decide (quorum) and what it takes to adopt (decision), and where
each outcome leads. This module knows the *shape* of a rule, never its numbers: "more than
n/d of those present" is ``{count: in_favour, comparator: more_than, fraction: "n/d",
of: present}`` in the file, and is evaluated with exact integer arithmetic
(``yes * d > n * present``), never with floats.

Messages are English catalogue ids with ``%(name)s`` placeholders.

One module per concern: ``vocabulary``, ``procedure`` (loading), ``quorum``
(the chain and the arithmetic), ``disclosure``, ``personal_data``, ``elections``,
``lifecycle`` (stored states); each declares its names in ``__all__``, and this package
gathers them.
"""

from __future__ import annotations

from gridgov.deliberation.rules import (
    disclosure,
    elections,
    lifecycle,
    personal_data,
    procedure,
    quorum,
    vocabulary,
)
from gridgov.deliberation.rules.disclosure import *  # noqa: F403
from gridgov.deliberation.rules.elections import *  # noqa: F403
from gridgov.deliberation.rules.lifecycle import *  # noqa: F403
from gridgov.deliberation.rules.personal_data import *  # noqa: F403
from gridgov.deliberation.rules.procedure import *  # noqa: F403
from gridgov.deliberation.rules.quorum import *  # noqa: F403
from gridgov.deliberation.rules.vocabulary import *  # noqa: F403

__all__ = [
    *disclosure.__all__,
    *elections.__all__,
    *lifecycle.__all__,
    *personal_data.__all__,
    *procedure.__all__,
    *quorum.__all__,
    *vocabulary.__all__,
]
