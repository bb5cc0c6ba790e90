"""Every ORM model, imported once so that the metadata is complete (migrations, tests)."""

from __future__ import annotations

from gridgov import settings_store
from gridgov.accounts import models as accounts
from gridgov.audit import models as audit
from gridgov.cases import models as cases
from gridgov.crisis import models as crisis
from gridgov.deliberation import models as deliberation
from gridgov.guard import models as guard
from gridgov.indicators import models as indicators
from gridgov.outreach import enterprise_models as enterprises
from gridgov.outreach import models as outreach
from gridgov.registry import models as registry
from gridgov.services import models as services
from gridgov.territory import models as territory

__all__ = [
    "accounts",
    "audit",
    "cases",
    "crisis",
    "deliberation",
    "enterprises",
    "guard",
    "indicators",
    "outreach",
    "registry",
    "services",
    "settings_store",
    "territory",
]
