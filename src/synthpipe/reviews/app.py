"""The review page: Starlette on 127.0.0.1 only, every request carrying the session's random token.

One page of plain HTML and a little JavaScript (page.html) talks to four JSON endpoints; each decision
is written to disk before the answer comes back, so closing the tab or killing the server loses nothing.
"""

from __future__ import annotations

import secrets
import socket
import threading
from importlib import resources
from typing import Any

from synthpipe.core.errors import MissingDependencyError, UsageError
from synthpipe.reviews import Session

HOST = "127.0.0.1"


def _starlette() -> Any:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise MissingDependencyError("the review page", "review") from None


def build_app(session: Session, token: str, on_finish: Any = None) -> Any:
    _starlette()
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, Response
    from starlette.routing import Route

    page = resources.files("synthpipe.reviews").joinpath("page.html").read_text(encoding="utf-8")

    def allowed(request: Request) -> bool:
        given = request.query_params.get("token") or request.headers.get("x-review-token") or ""
        return secrets.compare_digest(given.encode(), token.encode())

    def guard(handler: Any) -> Any:
        async def wrapped(request: Request) -> Response:
            if not allowed(request):
                return JSONResponse(
                    {"error": "forbidden: this review needs the token of its URL"}, status_code=403
                )
            try:
                return await handler(request)
            except UsageError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)

        return wrapped

    async def index(request: Request) -> Response:
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    async def state(request: Request) -> Response:
        return JSONResponse(session.state())

    async def body(request: Request) -> dict[str, Any]:
        try:
            data = await request.json()
        except ValueError:
            raise UsageError("the request body is not JSON") from None
        if not isinstance(data, dict):
            raise UsageError("the request body must be a JSON object")
        return data

    async def decide(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        data = await body(request)
        decision, problems = await run_in_threadpool(  # the rule checks of an edit run their own loop
            session.decide,
            str(data.get("id", "")),
            str(data.get("action", "")),
            [str(r) for r in data.get("reasons") or []],
            str(data.get("note") or ""),
            data.get("fields"),
        )
        if problems:
            return JSONResponse({"ok": False, "problems": problems}, status_code=422)
        return JSONResponse(
            {"ok": True, "decision": decision.to_json() if decision else None, **_progress(session)}
        )

    async def move(request: Request) -> Response:
        data = await body(request)
        try:
            position = int(data.get("position", 0))
        except (TypeError, ValueError):
            raise UsageError("position must be a number") from None
        return JSONResponse({"position": session.move(position)})

    async def finish(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        result = await run_in_threadpool(session.finish)
        if on_finish is not None:
            on_finish()
        return JSONResponse({"ok": True, **result})

    return Starlette(
        routes=[
            Route("/", guard(index)),
            Route("/api/state", guard(state)),
            Route("/api/decide", guard(decide), methods=["POST"]),
            Route("/api/move", guard(move), methods=["POST"]),
            Route("/api/finish", guard(finish), methods=["POST"]),
        ]
    )


def _progress(session: Session) -> dict[str, int]:
    return {"done": sum(1 for r in session.sample if r.id in session.decisions), "total": len(session.sample)}


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:port (0: any free port), or a clear error when it is taken."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port}: give a port from 1 to 65535, or 0 for a free one")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
    except OSError:
        sock.close()
        raise UsageError(
            f"port {port} on {HOST} is in use — pick another with --port, or --port 0 for a free one"
        ) from None
    sock.listen(64)
    return sock


class ReviewServer:
    """The review page served in a background thread (for scripts and tests); `url` has the token."""

    def __init__(self, session: Session, port: int = 0) -> None:
        _starlette()
        import uvicorn

        self.session = session
        self.token = secrets.token_urlsafe(18)
        self.sock = bind(port)
        self.port = self.sock.getsockname()[1]
        self.finished = threading.Event()
        app = build_app(session, self.token, on_finish=self.finished.set)
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/?token={self.token}"

    def start(self) -> ReviewServer:
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self._thread.start()
        while not self.server.started and self._thread.is_alive():
            threading.Event().wait(0.01)
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until the page's Finish button or Ctrl-C."""

        def stop_when_finished() -> None:
            self.finished.wait()
            self.server.should_exit = True

        threading.Thread(target=stop_when_finished, daemon=True).start()
        self.server.run(sockets=[self.sock])

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.sock.close()

    def __enter__(self) -> ReviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
