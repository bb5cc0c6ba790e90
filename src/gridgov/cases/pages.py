"""Case pages, as one router: the public report form (``report_pages``) and tracking
page (``track_pages``), the staff's lists and clustered map (``list_pages``), and the
case page with its action forms (``case_pages``); ``page_helpers`` holds what they share.

Public (no login): ``/report``, ``/report/area.geojson``, ``/track``, ``/track/{code}``
and its rating and contest forms. Everything under ``/cases`` needs a staff role and is
scoped by the viewer's region code.
"""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.cases import case_pages, list_pages, report_pages, track_pages
from gridgov.cases.case_pages import NOTE_LABELS as NOTE_LABELS
from gridgov.cases.case_pages import STEP_TARGET as STEP_TARGET
from gridgov.cases.case_pages import ScopedCasePage as ScopedCasePage
from gridgov.cases.case_pages import act_submit as act_submit
from gridgov.cases.case_pages import case_page as case_page
from gridgov.cases.case_pages import case_photo as case_photo
from gridgov.cases.case_pages import event_note as event_note
from gridgov.cases.case_pages import notifications_page as notifications_page
from gridgov.cases.case_pages import scoped_case_page as scoped_case_page
from gridgov.cases.case_pages import take_step as take_step
from gridgov.cases.list_pages import Cell as Cell
from gridgov.cases.list_pages import cases_map_json as cases_map_json
from gridgov.cases.list_pages import cases_map_page as cases_map_page
from gridgov.cases.list_pages import cases_page as cases_page
from gridgov.cases.list_pages import cell_degrees as cell_degrees
from gridgov.cases.list_pages import cluster as cluster
from gridgov.cases.list_pages import list_view as list_view
from gridgov.cases.list_pages import open_cases as open_cases
from gridgov.cases.list_pages import open_states as open_states
from gridgov.cases.list_pages import urgency as urgency
from gridgov.cases.list_pages import views_for as views_for
from gridgov.cases.page_helpers import ACTION_PHOTOS as ACTION_PHOTOS
from gridgov.cases.page_helpers import DISPATCH as DISPATCH
from gridgov.cases.page_helpers import LABELS as LABELS
from gridgov.cases.page_helpers import PAGE_SIZE as PAGE_SIZE
from gridgov.cases.page_helpers import REPORT_PHOTOS as REPORT_PHOTOS
from gridgov.cases.page_helpers import STAFF as STAFF
from gridgov.cases.page_helpers import SUPERVISE as SUPERVISE
from gridgov.cases.page_helpers import PageNumber as PageNumber
from gridgov.cases.page_helpers import PhotoSize as PhotoSize
from gridgov.cases.page_helpers import StaffPage as StaffPage
from gridgov.cases.page_helpers import TrackingCode as TrackingCode
from gridgov.cases.page_helpers import category_groups as category_groups
from gridgov.cases.page_helpers import photo_problems as photo_problems
from gridgov.cases.page_helpers import read_photos as read_photos
from gridgov.cases.page_helpers import report_language as report_language
from gridgov.cases.report_pages import report_area as report_area
from gridgov.cases.report_pages import report_grids as report_grids
from gridgov.cases.report_pages import report_page as report_page
from gridgov.cases.report_pages import report_submit as report_submit
from gridgov.cases.track_pages import ReporterSecret as ReporterSecret
from gridgov.cases.track_pages import contest_submit as contest_submit
from gridgov.cases.track_pages import public_outcome as public_outcome
from gridgov.cases.track_pages import rating_submit as rating_submit
from gridgov.cases.track_pages import track_form as track_form
from gridgov.cases.track_pages import track_page as track_page
from gridgov.cases.track_pages import track_photo as track_photo
from gridgov.web.render import sniff as sniff  # the report form's photo check, tested here

router = APIRouter(include_in_schema=False)
# In this order: ``/cases/map`` before ``/cases/{case_id}``.
# The routes themselves, not nested routers: the app lists them as before.
for _part in (report_pages, track_pages, list_pages, case_pages):
    router.routes.extend(_part.router.routes)
