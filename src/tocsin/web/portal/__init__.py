"""The victims' door: ``/report`` (a guided report, no log-in) and ``/report/status``, in every
language of the catalogues, working without JavaScript."""

from __future__ import annotations

from fastapi import APIRouter

from tocsin.web.portal import report, status

router = APIRouter(include_in_schema=False)
router.include_router(report.router)
router.include_router(status.router)

__all__ = ["router"]
