"""Every ORM model, imported once so that the metadata is complete (migrations, tests)."""

from __future__ import annotations

from gridgov import settings_store
from gridgov.accounts import models as accounts
from gridgov.audit import models as audit
from gridgov.cases import models as cases
from gridgov.crisis import models as crisis
from gridgov.deliberation import models as deliberation
from gridgov.indicators import models as indicators
from gridgov.registry import models as registry
from gridgov.territory import models as territory

__all__ = [
    "accounts",
    "audit",
    "cases",
    "crisis",
    "deliberation",
    "indicators",
    "registry",
    "settings_store",
    "territory",
]
