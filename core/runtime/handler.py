"""Django's ASGI handler, except that a request to a sync view takes one thread hop, and an
open event stream holds no thread.

Under Django's own handler a request to a sync view hops from the event loop to a thread and
back for each of its sync parts: the `request_started` receivers, each method of each
middleware (Django's are `MiddlewareMixin`s, whose async path runs `process_request` and
`process_response` each through `sync_to_async`), the view, and closing the response: 18
hops for a tablet's menu read, 2–3 ms of CPU. Here such a request runs as under WSGI: its
body is read on the event loop, then `request_started`, the middleware chain loaded in sync
mode, the view and `request_finished` (which gives the database connection back) run in one
call on one of REQUEST_THREADS threads, in a copy of the request's context, and the response
is sent from the loop (asgiref's `sync_to_async` would do the same for ~80 µs more). A sync
view's streaming response (a static file) is read and closed after it, as Django does.

An event stream's view (`opens_stream`: orders.sse) is a sync view too, whose answer is an
async StreamingHttpResponse: the middleware, the credentials and where the stream starts
(with its first events) take one call on one of STREAM_OPEN_THREADS threads of their own,
and the body then runs on the event loop, holding no thread, until it ends or the client
goes away (a disconnect cancels it, as in Django's handler). So a storm of reconnects (a
deploy, a worker that crashed) takes at most those threads and leaves the request threads to
orders; past settings.STREAM_OPENS_WAITING stream opens waiting, one more is answered at
once, on the loop, with a 503 `server_busy` and a random Retry-After.

A request to an async view takes Django's path. Django runs each request inside an asgiref
`ThreadSensitiveContext`: its sync parts (the `request_started` receivers, sync middleware)
share one thread of the request's own, made at the first such call and ended when the
response has been sent; an async streaming response would hold it for hours. Here that
thread is let go when the response turns out to be an async stream, after closing its
database connections (given back to the pool). A sync call made after that (Django closing
the response when the stream ends) runs on a thread of its own that ends with the call.
Stream bodies do their database work with `sync_to_async(thread_sensitive=False)`, on the
loop's shared pool (orders.sse).

`serving_loop()` is the event loop this process serves requests on, for code in a worker
thread that needs to schedule work there (core.listener).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import IO, TYPE_CHECKING, Any, ParamSpec, TypeAlias, TypeVar, TypeVarTuple

from asgiref.sync import ThreadSensitiveContext, iscoroutinefunction, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import asgi, base
from django.db import connections
from django.http import FileResponse
from django.urls import Resolver404, get_resolver, set_script_prefix

if TYPE_CHECKING:
    from django.http.response import HttpResponseBase

# ASGI's callables, as Django's handler takes them.
Receive: TypeAlias = Callable[[], Awaitable[Mapping[str, Any]]]
Send: TypeAlias = Callable[[Mapping[str, Any]], Awaitable[None]]

logger = logging.getLogger(__name__)

_P = ParamSpec("_P")
_View = TypeVar("_View", bound=Callable[..., Any])
_T = TypeVar("_T")
_Ts = TypeVarTuple("_Ts")

# Requests to sync views served at once by a process. Well above DB_POOL_MAX: a request waits
# for a database connection (at most DB_POOL_TIMEOUT) rather than for a thread, and one that
# needs no database finds a thread while others wait for connections.
REQUEST_THREADS = 32
_request_threads = ThreadPoolExecutor(max_workers=REQUEST_THREADS, thread_name_prefix="request")
# Streams opened at once by a process, on threads of their own (`ASGIHandler.open_stream`).
STREAM_OPEN_THREADS = 2
_stream_open_threads = ThreadPoolExecutor(max_workers=STREAM_OPEN_THREADS, thread_name_prefix="stream-open")
# A refused stream open asks its client to come back after a random wait in this range, seconds.
STREAM_BUSY_RETRY_AFTER = (1, 4)
# Stream opens waiting or running now (on the loop).
_stream_opens = 0
# Refusals are logged at most once every REFUSALS_LOGGED_EVERY seconds, with their count.
REFUSALS_LOGGED_EVERY = 10.0
_refusals = {"count": 0, "logged_at": float("-inf")}
_request_thread: contextvars.ContextVar[RequestThread] = contextvars.ContextVar("request_thread")
_serving_loop: asyncio.AbstractEventLoop | None = None


def serving_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop the ASGI handler last served a request on; None before the first."""
    return _serving_loop


class RequestThread(Executor):
    """A request's thread for its thread-sensitive calls, started at the first of them.

    `release` ends it; any call after that runs on a thread of its own, ended after it.
    """

    def __init__(self) -> None:
        self._thread: ThreadPoolExecutor | None = ThreadPoolExecutor(max_workers=1)

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        if self._thread is not None:
            return self._thread.submit(fn, *args, **kwargs)
        once = ThreadPoolExecutor(max_workers=1)
        try:
            return once.submit(fn, *args, **kwargs)
        finally:
            once.shutdown(wait=False)

    def release(self) -> None:
        self.shutdown(wait=False)
        # Nor keep the ended thread's objects for as long as the response lasts.
        self._thread = None

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=wait, cancel_futures=cancel_futures)


def opens_stream(busy: Callable[[int], HttpResponseBase]) -> Callable[[_View], _View]:
    """Mark a sync view that answers with an event stream (an async StreamingHttpResponse):
    it runs on the stream-open threads, and its response is sent while the client is there.
    `busy(retry_after)` is the answer when too many stream opens wait."""

    def mark(view: _View) -> _View:
        view.opens_stream = busy  # type: ignore[attr-defined]
        return view

    return mark


def view_kind(scope: Mapping[str, Any]) -> str:
    """'async', 'stream' (`opens_stream`) or 'sync' (also for a URL that resolves to nothing)."""
    return _resolved_view(scope)[0]


def _resolved_view(scope: Mapping[str, Any]) -> tuple[str, Callable[[int], HttpResponseBase] | None]:
    """The view's kind (`view_kind`), and a stream view's `busy` answer."""
    script_name = asgi.get_script_prefix(scope)
    path_info = scope["path"].removeprefix(script_name) if script_name else scope["path"]
    return _resolve(settings.ROOT_URLCONF, path_info)


@functools.lru_cache(maxsize=1024)
def _resolve(urlconf: str, path_info: str) -> tuple[str, Callable[[int], HttpResponseBase] | None]:
    try:
        match = get_resolver(urlconf).resolve(path_info)
    except Resolver404:
        return "sync", None
    if iscoroutinefunction(match.func):
        return "async", None
    busy = getattr(match.func, "opens_stream", None)
    return ("stream", busy) if busy is not None else ("sync", None)


def in_request_thread(
    function: Callable[[*_Ts], _T], *args: *_Ts, executor: Executor = _request_threads
) -> asyncio.Future[_T]:
    """`function(*args)` on one of REQUEST_THREADS threads (or `executor`'s), in a copy of the
    caller's context."""
    loop = asyncio.get_running_loop()
    return loop.run_in_executor(executor, contextvars.copy_context().run, function, *args)


class ASGIHandler(asgi.ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        # The same middleware again, as the sync chain that WSGI would run.
        self.sync_handler = base.BaseHandler()
        self.sync_handler.load_middleware(is_async=False)

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        global _serving_loop
        _serving_loop = asyncio.get_running_loop()
        kind, busy = _resolved_view(scope) if scope["type"] == "http" else ("async", None)
        if kind == "sync":
            await self.handle_in_one_hop(scope, receive, send)
            return
        if busy is not None:
            await self.open_stream(scope, receive, send, busy)
            return
        thread = RequestThread()
        token = _request_thread.set(thread)
        try:
            # Django's own context, entered inside this one, then uses this thread.
            async with ThreadSensitiveContext(executor=thread):
                await super().__call__(scope, receive, send)
        finally:
            _request_thread.reset(token)
            # Its calls have all returned; an idle thread ends on its own.
            thread.shutdown(wait=False)

    async def handle_in_one_hop(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        """A request to a sync view: all but reading and sending it in one call on a thread."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            response = await in_request_thread(self.respond, scope, body_file)
            await self.send_response(response, send)
            if response.streaming:
                await in_request_thread(response.close)
        finally:
            body_file.close()

    async def open_stream(
        self, scope: dict[str, Any], receive: Receive, send: Send, busy: Callable[[int], HttpResponseBase]
    ) -> None:
        """A request to an `opens_stream` view: as a sync view's, on the stream-open threads
        (see the module's docstring)."""
        global _stream_opens
        if _stream_opens >= settings.STREAM_OPENS_WAITING:
            # Imported here: the handler is loaded before the apps.
            from core.ratelimit import spread

            _refuse_stream_open()
            await super().send_response(busy(spread(STREAM_BUSY_RETRY_AFTER)), send)
            return
        _stream_opens += 1
        try:
            try:
                body_file = await self.read_body(receive)
            except RequestAborted:
                return
            try:
                response = await in_request_thread(self.respond, scope, body_file, executor=_stream_open_threads)
            finally:
                body_file.close()
        finally:
            _stream_opens -= 1
        if response.streaming and response.is_async:  # type: ignore[attr-defined]
            await self.send_while_connected(response, receive, send)
        else:
            await self.send_response(response, send)
        if response.streaming:
            await in_request_thread(response.close)

    async def send_while_connected(self, response: HttpResponseBase, receive: Receive, send: Send) -> None:
        """Send an endless response until it ends or the client goes away, as Django's handler
        does: a disconnect cancels the sending, which runs the body's `finally`."""
        sending = asyncio.create_task(self.send_response(response, send))
        listening = asyncio.create_task(self.listen_for_disconnect(receive))
        await asyncio.wait((sending, listening), return_when=asyncio.FIRST_COMPLETED)
        for task in (listening, sending):
            if not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RequestAborted):
                await task

    def respond(self, scope: Mapping[str, Any], body_file: IO[bytes]) -> HttpResponseBase:
        """The response, made as Django's WSGI handler makes it; closed unless it streams."""
        set_script_prefix(asgi.get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        response: HttpResponseBase
        # A request, or the response to a request that could not be made: never neither.
        request, response = self.create_request(scope, body_file)  # type: ignore[assignment]
        if request is not None:
            response = self.sync_handler.get_response(request)
            # As Django's own handlers do; the stubs do not declare this private attribute.
            response._handler_class = self.__class__  # type: ignore[attr-defined]
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if response.streaming:
            # Read and closed from other threads: this one's database connection is done with.
            connections.close_all()
        else:
            # The body is in memory: closing now sends `request_finished` from this thread.
            response.close()
        return response

    async def send_response(self, response: HttpResponseBase, send: Send) -> None:
        # A streaming response is a StreamingHttpResponse, which has is_async. On Django's
        # path (an async view) its thread is let go; `respond` closed the others' connections.
        thread = _request_thread.get(None)
        if response.streaming and response.is_async and thread is not None:  # type: ignore[attr-defined]
            await sync_to_async(connections.close_all)()
            thread.release()
        await super().send_response(response, send)


def _refuse_stream_open() -> None:
    _refusals["count"] += 1
    now = time.monotonic()
    if now - _refusals["logged_at"] >= REFUSALS_LOGGED_EVERY:
        logger.warning(
            "stream refused: %d stream opens waiting, the most a process lets wait (%d refused since the last warning)",
            _stream_opens,
            _refusals["count"],
        )
        _refusals["count"], _refusals["logged_at"] = 0, now
