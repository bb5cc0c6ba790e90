"""Every base metric of the indicator trees has the provider of the domain that owns it
(gridgov.metrics); indicators reads no other domain's tables."""

from __future__ import annotations

from gridgov.indicators.rules import BASE_METRICS
from gridgov.indicators.service import PROVIDERS


def test_every_base_metric_has_a_provider() -> None:
    # Given the base metrics a tree may name, and the providers indicators asks
    # When they are compared
    # Then each metric has a provider, and no provider answers for an unknown metric
    assert sorted(BASE_METRICS - set(PROVIDERS)) == []
    assert sorted(set(PROVIDERS) - BASE_METRICS) == []


def test_each_provider_comes_from_the_domain_that_owns_its_metrics() -> None:
    # Given the providers by metric
    owners = {metric: provider.__module__ for metric, provider in PROVIDERS.items()}

    # Then the case counts are cases', the register's the registry's, and so on
    assert owners["satisfied"] == "gridgov.cases.public"
    assert owners["party_members"] == "gridgov.registry.public"
    assert owners["meetings_held"] == "gridgov.deliberation.public"
    assert owners["visits_made"] == "gridgov.outreach.public"
    assert owners["households_covered"] == "gridgov.services.public"
