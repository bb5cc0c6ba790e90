"""Open311 GeoReport v2 over HTTP on both engines: discovery, services, POST and GET
requests with every filter, mySociety's updates, the spec's errors in JSON and XML, and
a real Open311 client (the ``georeport`` package) against a real server."""

from __future__ import annotations

import importlib
import json
import os
import socket
import threading
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor
from gridgov.cases import open311
from gridgov.cases import service as cases
from gridgov.cases.models import Case
from gridgov.db import Database
from gridgov.registry.models import Building
from gridgov.web.deps import route_table
from tests.cases.factories import DEPARTMENT, IN_GRID_1, report
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM

V2 = "/open311/v2"
GRID_1 = "44051200100101"
LON, LAT = IN_GRID_1


@pytest.fixture(autouse=True)
def mounted(app: FastAPI) -> FastAPI:
    """The router, mounted as the app will mount it (unless the app already has it)."""
    if "/open311/discovery.json" not in {route.path for route in route_table(app)}:
        app.include_router(open311.router)
    return app


@pytest.fixture
def api_key(db: Database, people: dict[str, Actor]) -> str:
    with db.transaction() as session:
        plaintext, _key = accounts.do_create_api_key(
            session, actor=SYSTEM, name="wechat-311", now=FIXED_NOW
        )
    return plaintext


def xml_of(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - our own response, in a test


def errors_of(response: Any) -> list[dict[str, Any]]:
    body = response.json()
    assert isinstance(body, list)
    return body


def load(db: Database, code: str) -> Case:
    with db.session() as session:
        case = session.scalar(select(Case).where(Case.tracking_code == code))
        assert case is not None
        return case


def post(client: TestClient, fields: dict[str, str], fmt: str = "json", **kwargs: Any) -> Any:
    return client.post(f"{V2}/requests.{fmt}", data=fields, **kwargs)


def a_request(api_key: str, **extra: str) -> dict[str, str]:
    return {
        "api_key": api_key,
        "service_code": "E0101",
        "lat": str(LAT),
        "long": str(LON),
        "first_name": "明",
        "last_name": "陈",
        "phone": "13812345678",
        "email": "chen.ming@example.com",
        "description": "小区门口垃圾堆了三天没人清理，味道很大",
        **extra,
    }


# ---------------------------------------------------------------- discovery and services


def test_discovery_names_this_servers_v2_endpoint_in_both_formats(
    client: TestClient, people: dict[str, Actor]
) -> None:
    response = client.get("/open311/discovery.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    assert body["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://testserver/open311/v2",
            "changeset": body["changeset"],
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    ]
    # the catalogue was loaded at FIXED_NOW (17:30 in Shanghai): clients refresh after it
    assert body["changeset"] == "2026-11-30 17:30"
    xml = client.get("/open311/discovery.xml")
    assert xml.headers["content-type"] == "text/xml; charset=utf-8"
    assert xml.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    root = xml_of(xml.text)
    assert root.tag == "discovery"
    endpoint = root.find("endpoints/endpoint")
    assert endpoint is not None
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_are_the_active_leaf_categories(
    db: Database, client: TestClient, people: dict[str, Actor]
) -> None:
    with db.session() as session:
        leaves = [c.code for c in cases.list_categories(session)]
    response = client.get(f"{V2}/services.json")
    assert response.status_code == 200
    services = response.json()
    assert [s["service_code"] for s in services] == leaves
    litter = next(s for s in services if s["service_code"] == "E0101")
    assert litter == {
        "service_code": "E0101",
        "service_name": "暴露垃圾",
        "description": litter["description"],
        "metadata": True,
        "type": "realtime",
        "keywords": "暴露垃圾, Exposed rubbish, 市容环境, Townscape and sanitation",
        "group": "市容环境",
    }
    assert "办结" in litter["description"]
    english = client.get(f"{V2}/services.json", params={"locale": "en"}).json()
    lights = next(s for s in english if s["service_code"] == "C0102")
    assert lights["service_name"] == "Street lights"
    assert lights["group"] == "Public utilities"
    assert lights["description"].startswith("Response within 1 working days")


def test_services_in_xml_match_the_json(client: TestClient, people: dict[str, Actor]) -> None:
    as_json = client.get(f"{V2}/services.json").json()
    response = client.get(f"{V2}/services.xml", params={"jurisdiction_id": "haojiang.gov.cn"})
    assert response.status_code == 200
    root = xml_of(response.text)
    assert root.tag == "services"
    services = root.findall("service")
    assert [s.findtext("service_code") for s in services] == [s["service_code"] for s in as_json]
    first = services[0]
    assert first.findtext("metadata") == "true"
    assert first.findtext("type") == "realtime"
    assert first.findtext("service_name") == as_json[0]["service_name"]


def test_a_service_definition_offers_reporter_name_and_anonymous(
    client: TestClient, people: dict[str, Actor]
) -> None:
    body = client.get(f"{V2}/services/E0101.json").json()
    assert body["service_code"] == "E0101"
    name, anonymous = body["attributes"][:2]
    assert name == {
        "variable": True,
        "code": "reporter_name",
        "datatype": "string",
        "required": False,
        "datatype_description": name["datatype_description"],
        "order": 1,
        "description": name["description"],
    }
    assert anonymous["code"] == "anonymous"
    assert anonymous["datatype"] == "singlevaluelist"
    assert anonymous["required"] is False
    assert anonymous["order"] == 2
    assert [v["key"] for v in anonymous["values"]] == ["true", "false"]
    root = xml_of(client.get(f"{V2}/services/E0101.xml").text)
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "E0101"
    codes = [a.findtext("code") for a in root.findall("attributes/attribute")]
    assert codes == ["reporter_name", "anonymous", "details", "count", "noticed_at", "hazards"]
    keys = [v.findtext("key") for v in root.findall("attributes/attribute/values/value")]
    assert keys[:2] == ["true", "false"]


def test_a_service_definition_offers_every_datatype_of_the_spec(
    client: TestClient, people: dict[str, Actor]
) -> None:
    attributes = client.get(f"{V2}/services/E0101.json").json()["attributes"]
    assert {a["datatype"] for a in attributes} == {
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    }
    assert [a["order"] for a in attributes] == [1, 2, 3, 4, 5, 6]
    hazards = next(a for a in attributes if a["datatype"] == "multivaluelist")
    assert "night" in [v["key"] for v in hazards["values"]]


def test_the_array_form_of_anonymous_hides_the_reporter(
    db: Database, client: TestClient, api_key: str
) -> None:
    response = post(client, a_request(api_key, **{"attribute[anonymous][]": "true"}))
    assert response.status_code == 200, response.text
    case = load(db, response.json()[0]["service_request_id"])
    assert case.anonymous is True
    assert case.reporter_name == ""
    assert case.reporter_phone_masked is None


def test_attributes_of_every_datatype_are_kept_with_the_report(
    db: Database, client: TestClient, api_key: str
) -> None:
    fields: dict[str, Any] = a_request(
        api_key,
        **{
            "attribute[details]": "垃圾堆在东门右手边",
            "attribute[count]": "3",
            "attribute[noticed_at]": "2026-03-02T08:30:00+08:00",
        },
    )
    fields["attribute[hazards][]"] = ["night", "blocks_traffic"]
    response = post(client, fields)
    assert response.status_code == 200, response.text
    case = load(db, response.json()[0]["service_request_id"])
    assert case.description.startswith("小区门口垃圾堆了三天没人清理")
    assert "垃圾堆在东门右手边" in case.description
    assert "数量: 3" in case.description
    assert "阻碍通行、夜间更危险" in case.description


def test_each_bad_attribute_gets_its_own_error(
    db: Database, client: TestClient, api_key: str
) -> None:
    fields: dict[str, Any] = a_request(
        api_key,
        **{
            "attribute[count]": "two",
            "attribute[noticed_at]": "yesterday",
            "attribute[anonymous]": "maybe",
        },
    )
    fields["attribute[hazards][]"] = ["night", "aliens"]
    response = post(client, fields)
    assert response.status_code == 400
    descriptions = [e["description"] for e in errors_of(response)]
    assert len(descriptions) == 4, descriptions
    for code in ("count", "noticed_at", "anonymous", "hazards"):
        assert any(f"attribute[{code}]" in d for d in descriptions), (code, descriptions)
    with db.session() as session:
        assert session.scalars(select(Case)).all() == []


def test_keyword_run_spam_through_open311_is_held_and_never_listed(
    db: Database, client: TestClient, api_key: str
) -> None:
    spam = "澳门新葡京 百家乐 真人视讯 娱乐城 注册送彩金 美女荷官 在线发牌"
    response = post(client, a_request(api_key, description=spam))
    assert response.status_code == 200, response.text
    case = load(db, response.json()[0]["service_request_id"])
    assert case.spam_suspected is True
    assert "keyword run" in case.spam_reasons
    assert case.state == "submitted"
    assert case.unit_code is None  # not routed, though the service code named a category
    listed = client.get(f"{V2}/requests.json").json()
    assert case.tracking_code not in [r["service_request_id"] for r in listed]


def test_unknown_services_and_requests_are_spec_404s(
    client: TestClient, people: dict[str, Actor]
) -> None:
    # A group (E01) is not a service: only leaves are
    for path in (f"{V2}/services/NOPE.json", f"{V2}/services/E01.json", f"{V2}/requests/NO.json"):
        response = client.get(path)
        assert response.status_code == 404, path
        [error] = errors_of(response)
        assert error["code"] == 404
        assert error["description"]
        xml = client.get(path.replace(".json", ".xml"))
        assert xml.status_code == 404, path
        root = xml_of(xml.text)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "404"


def test_unknown_formats_and_paths_are_404s_in_the_spec_shape(client: TestClient) -> None:
    for path in (
        f"{V2}/services.csv",
        f"{V2}/services/E0101.html",
        f"{V2}/requests.html",
        "/open311/discovery.yaml",
        f"{V2}/nothing",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        root = xml_of(response.text)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "404"
    response = client.get(f"{V2}/nothing.json")
    assert response.status_code == 404
    assert errors_of(response)[0]["code"] == 404


def test_every_route_is_listed_as_public(app: FastAPI) -> None:
    paths = {route.path for route in route_table(app) if route.path.startswith("/open311/")}
    assert paths == set(open311.PUBLIC_PATHS)


# ---------------------------------------------------------------- POST requests


def test_a_post_with_an_api_key_creates_a_case_in_the_grid(
    db: Database, client: TestClient, api_key: str
) -> None:
    response = post(client, a_request(api_key, **{"attribute[fixmystreet_id]": "17"}))
    assert response.status_code == 200, response.text
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    assert created["account_id"] is None
    assert "token" not in created
    case = load(db, created["service_request_id"])
    assert case.channel == "open311"
    assert case.source == "open311:wechat-311"
    assert case.grid_code == GRID_1
    assert case.category_code == "E0101"
    assert case.state == "assigned"
    assert case.reporter_name == "陈明"
    assert case.reporter_phone_masked is not None
    assert "网格" in created["service_notice"]
    # and it reads back at once, as an open request
    [row] = client.get(f"{V2}/requests/{created['service_request_id']}.json").json()
    assert row["status"] == "open"
    assert row["status_notes"] == "assigned"


def test_a_post_answers_in_xml(db: Database, client: TestClient, api_key: str) -> None:
    fields = a_request(api_key, **{"attribute[reporter_name]": "王先生"})
    response = post(client, fields, "xml")
    assert response.status_code == 200, response.text
    root = xml_of(response.text)
    assert root.tag == "service_requests"
    code = root.findtext("request/service_request_id")
    assert code
    assert root.find("request/account_id") is not None
    assert load(db, code).reporter_name == "王先生"


def test_an_anonymous_post_keeps_no_name_or_phone(
    db: Database, client: TestClient, api_key: str
) -> None:
    response = post(client, a_request(api_key, **{"attribute[anonymous]": "true"}))
    [created] = response.json()
    case = load(db, created["service_request_id"])
    assert case.anonymous is True
    assert case.reporter_name == ""
    assert case.reporter_phone_masked is None


def test_a_post_without_a_valid_api_key_is_a_403(
    db: Database, client: TestClient, api_key: str
) -> None:
    for key in (None, "", "ggk_00000000_wrong", "not-a-key", api_key + "x"):
        fields = a_request(api_key)
        if key is None:
            del fields["api_key"]
        else:
            fields["api_key"] = key
        response = post(client, fields)
        assert response.status_code == 403, key
        [error] = errors_of(response)
        assert error["code"] == 403
        assert "api_key" in error["description"]
        xml = post(client, fields, "xml")
        assert xml.status_code == 403, key
        root = xml_of(xml.text)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "403"
    with db.session() as session:
        assert session.scalars(select(Case)).all() == []


def test_a_post_without_a_location_is_a_400(db: Database, client: TestClient, api_key: str) -> None:
    fields = a_request(api_key)
    del fields["lat"], fields["long"]
    response = post(client, fields)
    assert response.status_code == 400
    [error] = errors_of(response)
    assert error["code"] == 400
    assert "location" in error["description"]
    # Half a point is no point either; without service_code both errors are listed
    fields = a_request(api_key)
    del fields["long"], fields["service_code"]
    response = post(client, fields, "xml")
    assert response.status_code == 400
    descriptions = [e.findtext("description") for e in xml_of(response.text).findall("error")]
    assert descriptions == ["service_code is required.", "lat and long must be sent together."]
    with db.session() as session:
        assert session.scalars(select(Case)).all() == []


BAD_PARAMETERS: list[tuple[dict[str, str], int, str]] = [
    ({"service_code": "X9999"}, 404, "service_code"),
    ({"lat": "north"}, 400, "lat"),
    ({"long": "999"}, 400, "long"),
    ({"address_id": "B-NONE"}, 400, "address_id"),
    ({"attribute[anonymous]": "maybe"}, 400, "anonymous"),
    ({"media_url": "ftp://example.com/a.jpg"}, 400, "media_url"),
    ({"description": "垃圾" * 1001}, 400, "description"),
    ({"phone": "12"}, 400, "phone"),
]


def test_bad_parameters_are_spec_errors(db: Database, client: TestClient, api_key: str) -> None:
    for extra, status, words in BAD_PARAMETERS:
        response = post(client, a_request(api_key, **extra))
        assert response.status_code == status, (extra, response.text)
        [error] = errors_of(response)
        assert error["code"] == status
        assert words in error["description"], (extra, error)
    with db.session() as session:
        assert session.scalars(select(Case)).all() == []


def test_an_address_id_is_a_building_code(db: Database, client: TestClient, api_key: str) -> None:
    with db.transaction() as session:
        session.add(
            Building(
                code="B-0001",
                name="青篮花园1栋",
                address="濠江区青篮路1号",
                lon=LON,
                lat=LAT,
                grid_code=GRID_1,
            )
        )
    fields = a_request(api_key, address_id="B-0001")
    del fields["lat"], fields["long"]
    [created] = post(client, fields).json()
    case = load(db, created["service_request_id"])
    assert (case.lon, case.lat, case.grid_code) == (LON, LAT, GRID_1)
    assert case.address == "濠江区青篮路1号"


def test_an_address_string_alone_is_enough(db: Database, client: TestClient, api_key: str) -> None:
    fields = a_request(api_key, address_string="青篮路口公交站旁")
    del fields["lat"], fields["long"]
    response = post(client, fields)
    assert response.status_code == 200
    [created] = response.json()
    case = load(db, created["service_request_id"])
    # Not located to a grid: it waits for a dispatcher
    assert case.address == "青篮路口公交站旁"
    assert case.state == "submitted"
    assert "调度" in created["service_notice"]


def test_a_retry_with_the_same_idempotency_key_makes_one_case(
    db: Database, client: TestClient, api_key: str
) -> None:
    headers = {"Idempotency-Key": "device-42:report-0001"}
    first = post(client, a_request(api_key), headers=headers).json()
    again = post(client, a_request(api_key), headers=headers).json()
    assert first[0]["service_request_id"] == again[0]["service_request_id"]
    with db.session() as session:
        [case] = session.scalars(select(Case)).all()
    assert case.idempotency_key is not None
    assert case.idempotency_key.endswith(":device-42:report-0001")
    short = post(client, a_request(api_key), headers={"Idempotency-Key": "x"})
    assert short.status_code == 400


# ---------------------------------------------------------------- GET requests


@pytest.fixture
def requests_world(db: Database, people: dict[str, Actor]) -> dict[str, Case]:
    """Made in time order (the flood rule counts earlier reports only)."""
    worker = people["chen.worker"]
    ancient = report(db, now=FIXED_NOW - timedelta(days=120))
    closed = report(db, now=FIXED_NOW - timedelta(days=10))
    later = FIXED_NOW - timedelta(days=9)
    with db.transaction() as session:
        case = session.get(Case, closed.id)
        assert case is not None
        cases.do_acknowledge(session, actor=worker, case=case, now=later)
        cases.do_start(session, actor=worker, case=case, now=later)
        cases.do_resolve(session, actor=worker, case=case, note="已清理", now=later)
        cases.do_verify(
            session, actor=people["wu.community"], case=case, passed=True, note="", now=later
        )
    lights = report(
        db,
        category="C0102",
        text="路灯不亮了好几天，电话13812345678",
        now=FIXED_NOW - timedelta(hours=3),
    )
    spam = report(db, text="加微信领优惠 www.example.com", now=FIXED_NOW - timedelta(hours=2))
    litter = report(db, now=FIXED_NOW - timedelta(hours=1))
    return {
        "ancient": ancient,
        "closed": closed,
        "lights": lights,
        "spam": spam,
        "litter": litter,
    }


def codes_of(client: TestClient, fmt: str = "json", **params: str) -> list[str]:
    response = client.get(f"{V2}/requests.{fmt}", params=params)
    assert response.status_code == 200, response.text
    if fmt == "xml":
        root = xml_of(response.text)
        assert root.tag == "service_requests"
        return [r.findtext("service_request_id") or "" for r in root.findall("request")]
    return [row["service_request_id"] for row in response.json()]


def test_requests_default_to_the_last_90_days_newest_first_without_spam(
    client: TestClient, requests_world: dict[str, Case]
) -> None:
    w = {name: case.tracking_code for name, case in requests_world.items()}
    assert codes_of(client) == [w["litter"], w["lights"], w["closed"]]
    assert codes_of(client, "xml") == [w["litter"], w["lights"], w["closed"]]


def test_requests_filter_by_id_code_dates_and_status(
    client: TestClient, requests_world: dict[str, Case]
) -> None:
    w = {name: case.tracking_code for name, case in requests_world.items()}
    # service_request_id overrides every other filter, even the window; spam stays hidden
    ids = f"{w['ancient']}, {w['closed'].lower()},{w['spam']}"
    assert codes_of(client, service_request_id=ids, status="open") == [w["closed"], w["ancient"]]
    assert codes_of(client, service_code="C0102") == [w["lights"]]
    assert codes_of(client, service_code="C0102,E0101") == [w["litter"], w["lights"], w["closed"]]
    assert codes_of(client, status="closed") == [w["closed"]]
    assert codes_of(client, status="open") == [w["litter"], w["lights"]]
    assert codes_of(client, status="open,closed") == [w["litter"], w["lights"], w["closed"]]
    assert codes_of(client, start_date="2026-11-30T00:00:00+08:00") == [w["litter"], w["lights"]]
    assert codes_of(client, end_date="2026-11-25T00:00:00Z") == [w["closed"]]
    assert codes_of(client, start_date="2026-07-01T00:00:00Z", end_date="2026-09-01T00:00:00Z") == [
        w["ancient"]
    ]
    # a date alone: the whole local day
    assert codes_of(client, start_date="2026-11-20", end_date="2026-11-20") == [w["closed"]]


def test_bad_request_filters_are_400s(client: TestClient, people: dict[str, Actor]) -> None:
    for params in (
        {"status": "pending"},
        {"start_date": "yesterday"},
        {"end_date": "2026-13-01"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-11-30T00:00:00Z"},
        {"start_date": "2026-11-30T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"},
    ):
        response = client.get(f"{V2}/requests.json", params=params)
        assert response.status_code == 400, params
        [error] = errors_of(response)
        assert error["code"] == 400
        xml = client.get(f"{V2}/requests.xml", params=params)
        assert xml.status_code == 400, params
        assert xml_of(xml.text).findtext("error/code") == "400"


def test_one_request_carries_every_field_and_no_personal_data(
    client: TestClient, requests_world: dict[str, Case]
) -> None:
    closed = requests_world["closed"]
    response = client.get(f"{V2}/requests/{closed.tracking_code}.json")
    assert response.status_code == 200
    [row] = response.json()
    assert row == {
        "service_request_id": closed.tracking_code,
        "status": "closed",
        "status_notes": "closed",
        "service_name": "暴露垃圾",
        "service_code": "E0101",
        "description": closed.description,
        "agency_responsible": GRID_1,
        "service_notice": row["service_notice"],
        "requested_datetime": "2026-11-20T17:30:00+08:00",
        "updated_datetime": "2026-11-21T17:30:00+08:00",
        "expected_datetime": row["expected_datetime"],
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": LAT,
        "long": LON,
        "media_url": None,
    }
    assert row["expected_datetime"].endswith("+08:00")
    assert "陈女士" not in response.text
    assert "138" not in response.text
    lights = requests_world["lights"]
    en = client.get(f"{V2}/requests/{lights.tracking_code}.json", params={"locale": "en"}).json()
    assert en[0]["agency_responsible"] == DEPARTMENT
    # a number in the free text is masked, as everywhere else
    assert en[0]["description"] == "路灯不亮了好几天，电话138****5678"
    assert en[0]["service_name"] == "Street lights"
    assert en[0]["status_notes"] == "assigned"
    root = xml_of(client.get(f"{V2}/requests/{lights.tracking_code}.xml").text)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request is not None
    assert request.findtext("status") == "open"
    assert request.findtext("long") == str(LON)
    assert request.findtext("media_url") == ""  # present and empty: null


def test_a_spam_suspected_case_is_not_found(
    client: TestClient, requests_world: dict[str, Case]
) -> None:
    spam = requests_world["spam"]
    assert spam.spam_suspected
    assert client.get(f"{V2}/requests/{spam.tracking_code}.json").status_code == 404


def test_tokens_are_never_issued(client: TestClient, people: dict[str, Actor]) -> None:
    response = client.get(f"{V2}/tokens/12345.json")
    assert response.status_code == 404
    [error] = errors_of(response)
    assert "token" in error["description"].lower()
    assert xml_of(client.get(f"{V2}/tokens/12345.xml").text).tag == "errors"


# ---------------------------------------------------------------- updates


def test_service_request_updates_are_the_public_steps(
    client: TestClient, requests_world: dict[str, Case]
) -> None:
    closed = requests_world["closed"].tracking_code
    response = client.get(
        f"{V2}/servicerequestupdates.json",
        params={"start_date": "2026-11-20T00:00:00+08:00", "end_date": "2026-11-22T00:00:00+08:00"},
    )
    assert response.status_code == 200
    updates = response.json()
    assert {u["service_request_id"] for u in updates} == {closed}
    steps = [(u["status"], u["description"]) for u in updates]
    assert steps == [
        ("open", "已提交（submitted）"),
        ("open", "已受理（accepted）"),
        ("open", "已派单（assigned）"),
        ("open", "承办单位已报到（acknowledged）"),
        ("open", "正在处置（in_progress）"),
        ("open", "已处置，待核查（resolved）"),
        ("open", "已核查（verified）"),
        ("closed", "已办结（closed）"),
    ]
    first = updates[0]
    assert set(first) == {
        "update_id",
        "service_request_id",
        "status",
        "updated_datetime",
        "description",
        "media_url",
    }
    assert first["updated_datetime"] == "2026-11-20T17:30:00+08:00"
    assert len({u["update_id"] for u in updates}) == len(updates)
    # the default window (last 90 days) holds every public step but the spam's
    everything = client.get(f"{V2}/servicerequestupdates.json").json()
    codes = {u["service_request_id"] for u in everything}
    assert requests_world["spam"].tracking_code not in codes
    assert requests_world["ancient"].tracking_code not in codes
    root = xml_of(
        client.get(
            f"{V2}/servicerequestupdates.xml",
            params={"start_date": "2026-11-21T00:00:00+08:00", "locale": "en"},
        ).text
    )
    assert root.tag == "service_request_updates"
    descriptions = [u.findtext("description") for u in root.findall("request_update")]
    assert "Closed (closed)" in descriptions


# ---------------------------------------------------------------- a real client


@pytest.fixture
def server(mounted: FastAPI, api_key: str) -> Iterator[str]:
    """The app under a real uvicorn on a free localhost port, in a thread, started
    once the world (and the API key) exist."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(mounted, log_level="warning", lifespan="off")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uvicorn_server.started:
        assert thread.is_alive(), "uvicorn stopped"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def georeport_module() -> Any:
    """The ``georeport`` client package (a dev dependency); CI must have it."""
    try:
        return importlib.import_module("georeport")
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("the georeport package is missing: install the dev dependencies")
        pytest.skip("the georeport package is not installed")


def test_a_real_open311_client_lists_posts_and_reads_back(
    server: str, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    georeport = georeport_module()
    endpoint = f"{server}/open311/v2"
    client = georeport.GeoReport(endpoint, jurisdiction="haojiang.gov.cn", api_key=api_key)
    # Given the service list and a definition, read by the client
    services = client.get_service_list()
    assert "E0101" in [s["service_code"] for s in services]
    definition = client.get_service_definition("E0101")
    assert [a["code"] for a in definition["attributes"]][:2] == ["reporter_name", "anonymous"]
    # When a request is posted, form-encoded as the specification says (georeport
    # 0.3.1 reads only; it has no method to create requests)
    form = urllib.parse.urlencode(
        {
            "api_key": client.api_key,
            "jurisdiction_id": client.jurisdiction,
            "service_code": "E0101",
            "lat": str(LAT),
            "long": str(LON),
            "description": "小区门口垃圾堆了三天没人清理，味道很大",
            "attribute[anonymous]": "true",
        }
    ).encode()
    post_request = urllib.request.Request(  # noqa: S310 - a localhost http URL
        f"{client.root_address}/requests.json",
        data=form,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    with urllib.request.urlopen(post_request, timeout=10) as answer:  # noqa: S310
        assert answer.status == 200
        [created] = json.loads(answer.read())
    code = created["service_request_id"]
    # Then the client reads it back, alone and in the list, in JSON and in XML
    one = client.get_service_request(code)
    assert one["service_request_id"] == code
    assert one["service_code"] == "E0101"
    assert one["status"] == "open"
    listed = client.get_service_requests(service_request_id=code)
    assert [r["service_request_id"] for r in listed] == [code]
    by_status = client.get_service_requests(service_code="E0101", status="open")
    assert code in [r["service_request_id"] for r in by_status]
    as_xml = georeport.GeoReport(endpoint, api_key=api_key, output_format="xml")
    assert as_xml.get_service_request(code)["service_request_id"] == code
    assert as_xml.get_service_list()[0]["type"] == "realtime"
