"""The web server's JSON API: /api/ask (the console's lookups), /api/feedback (votes), /api/gaps and /healthz.

The handlers read what they need from `request.app.state` (put there by web/server.py's create_app: the
settings, the feedback store, the engine holder, the rate limiter); what a request must contain is checked by
the models of web/requests.py. Every error answer has the one shape of common/errors.py.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from common import errors
from common.normalize import normalize
from common.ratelimit import RateLimiter
from feedback import FeedbackStore
from web.requests import FEEDBACK_EXAMPLE, AskParams, FeedbackVote
from web.terms import query_terms

if TYPE_CHECKING:
    from web.server import EngineHolder


def error(status: int, code: str, message: str, retry_after: int | None = None) -> JSONResponse:
    """The one error shape (common/errors.py): {"error": code, "message": text}."""
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return JSONResponse(errors.error_body(code, message), status_code=status, headers=headers)


def problem_response(problem: errors.Problem) -> JSONResponse:
    return error(problem.status, problem.code, problem.message, problem.retry_after)


async def healthz(request: Request) -> Response:
    holder: EngineHolder = request.app.state.engine
    return JSONResponse({"status": "ok", "engine": holder.engine is not None, "problem": holder.problem})


async def ask(request: Request) -> Response:
    try:
        params = AskParams.parse(dict(request.query_params))
    except errors.Problem as problem:
        return problem_response(problem)
    holder: EngineHolder = request.app.state.engine
    if holder.engine is None:
        return error(503, "engine_unavailable", holder.problem)
    started = time.perf_counter()
    answer = await run_in_threadpool(holder.ask, params.q, params.k)
    payload = answer.to_dict()
    payload["terms"] = query_terms(normalize(params.q))  # the evidence is simplified Chinese
    payload["hotlines"] = {org: o.hotline for org, o in holder.engine.knowledge.organizations.items()}
    payload["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return JSONResponse(payload, headers={"Cache-Control": "no-store"})


async def feedback(request: Request) -> Response:
    # Content type, origin and the 16 KB body limit were checked by web/guard.py, which every /api/ request
    # passes; the body read here is at most that.
    body = await request.body()
    try:
        vote = FeedbackVote.parse(errors.parse_json(body, FEEDBACK_EXAMPLE))
    except errors.Problem as problem:
        return problem_response(problem)
    limiter: RateLimiter = request.app.state.limiter
    wait = limiter.check("sender", vote.sender)
    if wait:
        return problem_response(errors.rate_limited(wait))
    store: FeedbackStore = request.app.state.store
    vote_id = await run_in_threadpool(store.record_vote, **vote.model_dump())
    return JSONResponse({"id": vote_id}, status_code=201)


async def gaps_json(request: Request) -> Response:
    try:
        limit = max(1, min(1000, int(request.query_params.get("limit", "100"))))
    except ValueError:
        return error(400, "bad_limit", "limit must be a whole number.")
    store: FeedbackStore = request.app.state.store
    return JSONResponse({"gaps": await run_in_threadpool(store.gaps, limit)})
