"""A volunteer service-hours certificate as a one-page A4 PDF (reportlab).

Chinese, Japanese and Korean text is set in reportlab's built-in CID fonts (Adobe's
Asian font packs, which every PDF reader has): no font file ships and nothing is
fetched. The text is in the reader's language; Vietnamese, whose letters those fonts
lack, is printed in Simplified Chinese. The verification code and the figures are set in
Helvetica so that they read the same in any reader and can be searched for.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from gridgov.i18n import gettext
from gridgov.msgids import N_

# The CID font of each language; a name with Hangul is set in the Korean one.
FONTS = {
    "zh_Hans": "STSong-Light",
    "zh_Hant": "MSung-Light",
    "ja": "HeiseiMin-W3",
    "ko": "HYSMyeongJo-Medium",
    "en": "STSong-Light",
}
HANGUL_FONT = "HYSMyeongJo-Medium"
LATIN = "Helvetica"


@dataclass(frozen=True)
class CertificateText:
    name: str
    team: str
    international: bool
    period_start: date
    period_end: date
    hours: str  # e.g. "12.5"
    activities: int
    issuer: str
    issued_on: date
    code: str
    verify_url: str


def _registered(font: str) -> str:
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    return font


def _has_hangul(text: str) -> bool:
    return any("\uac00" <= c <= "\ud7a3" or "\u1100" <= c <= "\u11ff" for c in text)


def render_certificate(text: CertificateText, language: str, *, compress: bool = True) -> bytes:
    """The certificate's PDF bytes. ``compress=False`` writes the page's content
    uncompressed (tests read the figures from the bytes)."""
    if language not in FONTS:
        language = "zh_Hans"
    font = _registered(FONTS[language])

    def t(message: str, **params: object) -> str:
        return gettext(language, message, params or None)

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1 if compress else 0, invariant=1)
    pdf.setTitle(t(N_("Certificate of volunteer service")))
    pdf.setSubject(text.code)
    pdf.setCreator("gridgov")
    width, height = A4
    left = 72.0

    pdf.setLineWidth(2)
    pdf.rect(36, 36, width - 72, height - 72)
    pdf.setFont(font, 26)
    pdf.drawCentredString(width / 2, height - 130, t(N_("Certificate of volunteer service")))

    y = height - 200
    name_font = _registered(HANGUL_FONT) if _has_hangul(text.name) else font
    pdf.setFont(font, 14)
    pdf.drawString(left, y, t(N_("Volunteer")) + "：")
    pdf.setFont(name_font, 18)
    pdf.drawString(left + 110, y, text.name)

    lines = [
        (N_("Team"), text.team),
        (N_("Period"), f"{text.period_start.isoformat()} – {text.period_end.isoformat()}"),
    ]
    y -= 36
    for label, value in lines:
        pdf.setFont(font, 14)
        pdf.drawString(left, y, t(label) + "：")
        pdf.setFont(font if label == N_("Team") else LATIN, 14)
        pdf.drawString(left + 110, y, value)
        y -= 30
    if text.international:
        pdf.setFont(font, 12)
        pdf.drawString(left + 110, y + 8, t(N_("International volunteer team")))
        y -= 22

    pdf.setFont(font, 14)
    pdf.drawString(left, y, t(N_("Service hours")) + "：")
    pdf.setFont(LATIN, 22)
    pdf.drawString(left + 110, y, text.hours)
    pdf.setFont(font, 14)
    pdf.drawString(left + 110 + pdf.stringWidth(text.hours, LATIN, 22) + 8, y, t(N_("hours")))
    y -= 30
    pdf.drawString(
        left, y, t(N_("%(n)s activities took part in during the period."), n=text.activities)
    )

    y -= 60
    pdf.setFont(font, 13)
    body = t(N_("This certifies the volunteer service above, recorded by check-in and check-out."))
    pdf.drawString(left, y, body)

    y -= 70
    pdf.drawString(left, y, t(N_("Issued by")) + "：" + text.issuer)
    y -= 26
    pdf.drawString(left, y, t(N_("Issued on")) + "：")
    pdf.setFont(LATIN, 13)
    pdf.drawString(left + 110, y, text.issued_on.isoformat())

    pdf.setFont(font, 11)
    pdf.drawString(left, 110, t(N_("Verification code")) + "：")
    pdf.setFont("Courier-Bold", 14)
    pdf.drawString(left + 110, 110, text.code)
    pdf.setFont(font, 10)
    pdf.drawString(left, 90, t(N_("Check this certificate at")) + "：")
    pdf.setFont(LATIN, 10)
    pdf.drawString(left + 110, 90, text.verify_url)

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
