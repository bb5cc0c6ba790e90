"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), with service discovery
and mySociety's ``servicerequestupdates`` extension, over the cases domain.

Services are the active leaf categories; service requests are cases, known by their
tracking code. Every answer comes in the format the path names (``.json`` or ``.xml``),
shaped as the specification's examples, and so do errors: a list of ``{code,
description}`` with 400 (missing or invalid parameter), 403 (missing or invalid
``api_key``) or 404 (unknown resource or format). Domain errors are caught here and
reshaped, and a catch-all route answers unknown /open311/ paths; only a 405 (a method
no route takes) or an unexpected 500 keeps gridgov's own error shape.

Every route is public: the GET routes because the specification means them to be, and
``POST requests.{format}`` because its ``api_key`` travels in the form body, which the
shared ``ApiKeyAuth`` dependency does not read; the endpoint authenticates the key
itself before anything else. docs/open311.md describes the mapping.

The package's modules: ``wire`` (formats, errors, parsers), ``discovery`` (discovery
and services), ``reading`` (GET requests), ``posting`` (POST a request), ``updates``
(the updates extension and the catch-all 404).
"""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.cases.open311 import discovery, posting, reading, updates
from gridgov.cases.open311.discovery import (
    changeset as changeset,
)
from gridgov.cases.open311.discovery import (
    discovery_json as discovery_json,
)
from gridgov.cases.open311.discovery import (
    discovery_xml as discovery_xml,
)
from gridgov.cases.open311.discovery import (
    service_definition as service_definition,
)
from gridgov.cases.open311.discovery import (
    services as services,
)
from gridgov.cases.open311.posting import (
    Form as Form,
)
from gridgov.cases.open311.posting import (
    FormDep as FormDep,
)
from gridgov.cases.open311.posting import (
    IdempotencyKey as IdempotencyKey,
)
from gridgov.cases.open311.posting import (
    Location as Location,
)
from gridgov.cases.open311.posting import (
    create_request as create_request,
)
from gridgov.cases.open311.posting import (
    location as location,
)
from gridgov.cases.open311.posting import (
    post_request as post_request,
)
from gridgov.cases.open311.posting import (
    read_form as read_form,
)
from gridgov.cases.open311.posting import (
    reporter_name as reporter_name,
)
from gridgov.cases.open311.reading import (
    Lookups as Lookups,
)
from gridgov.cases.open311.reading import (
    RequestFilters as RequestFilters,
)
from gridgov.cases.open311.reading import (
    find_requests as find_requests,
)
from gridgov.cases.open311.reading import (
    get_request as get_request,
)
from gridgov.cases.open311.reading import (
    get_requests as get_requests,
)
from gridgov.cases.open311.reading import (
    get_token as get_token,
)
from gridgov.cases.open311.reading import (
    redact as redact,
)
from gridgov.cases.open311.updates import (
    find_updates as find_updates,
)
from gridgov.cases.open311.updates import (
    not_found as not_found,
)
from gridgov.cases.open311.updates import (
    service_request_updates as service_request_updates,
)
from gridgov.cases.open311.wire import (
    API_CHANGESET as API_CHANGESET,
)
from gridgov.cases.open311.wire import (
    DISCOVERY_FORMATS as DISCOVERY_FORMATS,
)
from gridgov.cases.open311.wire import (
    IDEMPOTENCY_KEY_LENGTH as IDEMPOTENCY_KEY_LENGTH,
)
from gridgov.cases.open311.wire import (
    LIST_ITEMS as LIST_ITEMS,
)
from gridgov.cases.open311.wire import (
    MAX_IDS as MAX_IDS,
)
from gridgov.cases.open311.wire import (
    MAX_RESULTS as MAX_RESULTS,
)
from gridgov.cases.open311.wire import (
    MEDIA_TYPES as MEDIA_TYPES,
)
from gridgov.cases.open311.wire import (
    MEDIA_URL_LENGTH as MEDIA_URL_LENGTH,
)
from gridgov.cases.open311.wire import (
    PUBLIC_PATHS as PUBLIC_PATHS,
)
from gridgov.cases.open311.wire import (
    SPECIFICATION as SPECIFICATION,
)
from gridgov.cases.open311.wire import (
    WINDOW as WINDOW,
)
from gridgov.cases.open311.wire import (
    Node as Node,
)
from gridgov.cases.open311.wire import (
    Open311Error as Open311Error,
)
from gridgov.cases.open311.wire import (
    error_response as error_response,
)
from gridgov.cases.open311.wire import (
    parse_w3c as parse_w3c,
)
from gridgov.cases.open311.wire import (
    render as render,
)
from gridgov.cases.open311.wire import (
    to_xml as to_xml,
)
from gridgov.cases.open311.wire import (
    w3c as w3c,
)
from gridgov.cases.open311.wire import (
    window as window,
)

router = APIRouter(tags=["open311"])
# The routes themselves, in this order: the catch-all of ``updates`` comes last.
for _part in (discovery, reading, posting, updates):
    router.routes.extend(_part.router.routes)
