"""The signed-in person's own account page: the interface language they keep."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gridgov.accounts import service
from gridgov.web.deps import LANG_COOKIE, CsrfChecked, PageUser
from gridgov.web.render import render
from gridgov.web.toolkit import PageDesk, safe_next

router = APIRouter(include_in_schema=False)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: PageUser) -> HTMLResponse:
    return render(request, "accounts/account.html", {"kept_language": user.language})


@router.post("/account/language", dependencies=[CsrfChecked])
def set_language_submit(
    desk: PageDesk,
    language: Annotated[str, Form(max_length=16)],
    next: Annotated[str, Form(max_length=500)] = "/account",
) -> Response:
    service.do_set_language(
        desk.session, actor=desk.actor, user=desk.user, language=language, now=desk.now
    )
    desk.session.commit()
    response = RedirectResponse(safe_next(next), status_code=303)
    # The cookie outranks the account's choice in negotiation, so it follows the choice.
    response.set_cookie(LANG_COOKIE, language, samesite="lax", max_age=60 * 60 * 24 * 365)
    return response
