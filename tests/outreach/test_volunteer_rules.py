"""Volunteer rules without a database: credited hours, hours as printed, an activity's
fields, sign-up, check-in and check-out, the period; and the certificate's PDF."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from gridgov.outreach import rules
from gridgov.outreach.certificate_pdf import CertificateText, render_certificate

START = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
END = START + timedelta(hours=3)


def test_hours_credited_are_the_time_present_bounded_by_the_activity() -> None:
    # Given an activity crediting 2 hours
    # when a volunteer stays 1 h 20 min, then 80 minutes are credited
    assert rules.credited_minutes(START, START + timedelta(minutes=80), 120) == 80
    # when they stay 3 hours, then only the activity's 2 hours
    assert rules.credited_minutes(START, START + timedelta(hours=3), 120) == 120
    # and a few seconds count as nothing, never less
    assert rules.credited_minutes(START, START + timedelta(seconds=59), 120) == 0


def test_hours_are_printed_to_a_tenth() -> None:
    assert rules.hours_text(150) == "2.5"
    assert rules.hours_text(0) == "0.0"
    assert rules.hours_text(61) == "1.0"
    assert rules.hours_text(63) == "1.1"  # 1.05 h rounds half up
    assert rules.hours_text(12 * 60 * 40) == "480.0"


def test_an_activity_cannot_credit_more_than_it_lasts_nor_end_before_it_starts() -> None:
    good = rules.activity_problems(
        rules.ActivityDraft(
            title="敬老院陪伴",
            place="社区养老院",
            starts_at=START,
            ends_at=END,
            capacity=10,
            credit_minutes=180,
        )
    )
    assert good == []
    bad = rules.activity_problems(
        rules.ActivityDraft(
            title="",
            place="社区",
            starts_at=END,
            ends_at=START,
            capacity=0,
            credit_minutes=0,
        )
    )
    assert [p.field for p in bad] == ["title", "ends_at", "capacity", "hours"]
    too_much = rules.activity_problems(
        rules.ActivityDraft(
            title="清洁",
            place="河边",
            starts_at=START,
            ends_at=START + timedelta(hours=2),
            capacity=5,
            credit_minutes=150,
        )
    )
    assert [p.message for p in too_much] == ["An activity cannot credit more hours than it lasts."]


def test_sign_up_is_refused_when_full_or_over() -> None:
    before = START - timedelta(days=1)
    assert rules.signup_problem(taken=9, capacity=10, ends_at=END, now=before) is None
    assert rules.signup_problem(taken=10, capacity=10, ends_at=END, now=before) == (
        "This activity is full: %(capacity)s places, all taken."
    )
    assert rules.signup_problem(taken=0, capacity=10, ends_at=END, now=END) == (
        "This activity is over; sign-ups are closed."
    )


def test_check_in_and_out_times_are_bounded() -> None:
    later = END + timedelta(hours=1)
    assert rules.check_in_problem(at=START, starts_at=START, ends_at=END, now=later) is None
    # two hours early is allowed, more is not; at or after the end is not; nor the future
    early = START - timedelta(hours=2)
    assert rules.check_in_problem(at=early, starts_at=START, ends_at=END, now=later) is None
    assert rules.check_in_problem(
        at=early - timedelta(minutes=1), starts_at=START, ends_at=END, now=later
    )
    assert rules.check_in_problem(at=END, starts_at=START, ends_at=END, now=later)
    assert rules.check_in_problem(at=START, starts_at=START, ends_at=END, now=START - timedelta(1))
    assert (
        rules.check_out_problem(at=END, checked_in=None, now=later)
        == "Check the volunteer in first."
    )
    assert rules.check_out_problem(at=START, checked_in=START, now=later) == (
        "The check-out must be after the check-in."
    )
    assert rules.check_out_problem(at=END, checked_in=START, now=later) is None


def test_a_period_runs_forwards_and_at_most_three_years() -> None:
    assert rules.period_problem(date(2026, 1, 1), date(2026, 12, 31)) is None
    assert rules.period_problem(date(2026, 2, 1), date(2026, 1, 31)) is not None
    assert rules.period_problem(date(2020, 1, 1), date(2026, 1, 1)) is not None


def test_the_certificate_is_a_one_page_pdf_with_the_hours_and_the_code() -> None:
    # Given a volunteer's 12.5 hours with an international team
    text = CertificateText(
        name="Nguyen Van An",
        team="头村国际志愿服务队",
        international=True,
        period_start=date(2026, 8, 1),
        period_end=date(2026, 11, 30),
        hours="12.5",
        activities=6,
        issuer="头村社区",
        issued_on=date(2026, 11, 30),
        code="ABCDEFGH2345",
        verify_url="https://gridgov.example/volunteer-certificates/verify",
    )
    # when the certificate is written uncompressed
    pdf = render_certificate(text, "zh_Hans", compress=False)
    # then it is a PDF of one page, in the Chinese CID font, with the figures in it
    assert pdf.startswith(b"%PDF-")
    assert re.search(rb"/Type /Pages\s*/Count 1\b|/Count 1\s", pdf)
    assert b"/STSong-Light" in pdf
    assert b"(12.5) Tj" in pdf
    assert b"(ABCDEFGH2345) Tj" in pdf
    assert b"(2026-08-01" in pdf
    assert pdf.rstrip().endswith(b"%%EOF")


def test_a_korean_name_is_set_in_the_korean_font() -> None:
    text = CertificateText(
        name="김민수",
        team="国际志愿服务队",
        international=True,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        hours="3.0",
        activities=2,
        issuer="头村社区",
        issued_on=date(2026, 7, 1),
        code="ZZZZZZZZ2222",
        verify_url="https://gridgov.example/v",
    )
    pdf = render_certificate(text, "en", compress=False)
    assert b"/HYSMyeongJo-Medium" in pdf
    assert b"(3.0) Tj" in pdf
