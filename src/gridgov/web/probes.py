"""Health probes for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from gridgov.db import NotMigratedError, ensure_migrated
from gridgov.web.deps import StateDep

router = APIRouter(tags=["probes"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up. Touches nothing else."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(state: StateDep) -> JSONResponse | dict[str, str]:
    """The database answers and is at the code's migration head."""
    try:
        ensure_migrated(state.db.engine)
    except NotMigratedError:
        body = {"error": {"code": "not_ready", "message": "database not migrated", "details": []}}
        return JSONResponse(body, status_code=503)
    except Exception:
        body = {"error": {"code": "not_ready", "message": "database unreachable", "details": []}}
        return JSONResponse(body, status_code=503)
    return {"status": "ready", "database": state.db.dialect}
