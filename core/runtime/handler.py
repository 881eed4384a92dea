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
view's streaming response (a static file) is read and closed after it, as Django does. A
request to an async view (an event stream) takes Django's path, as follows.

Django runs each request inside an asgiref `ThreadSensitiveContext`: its sync parts (the
`request_started` receivers, sync middleware, sync views) share one thread of the request's
own, made at the first such call and ended when the response has been sent. Every request
makes such a call (Django's `request_started` receivers are sync), so an event stream,
whose response is sent for hours, held one idle thread (and its stack) all that time.

Here that thread is let go when the response turns out to be an async stream: by then the
request's sync parts are done and the body runs on the event loop. First the thread's
database connections are closed (given back to the pool), since nothing will use or close
them later. A sync call made after that (Django closing the response when the stream ends)
runs on a thread of its own that ends with the call. Stream bodies do their database work
with `sync_to_async(thread_sensitive=False)`, on the loop's shared pool (orders.sse).

`serving_loop()` is the event loop this process serves requests on, for code in a worker
thread that needs to schedule work there (core.listener).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
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

_P = ParamSpec("_P")
_T = TypeVar("_T")
_Ts = TypeVarTuple("_Ts")

# Requests to sync views served at once by a process. Well above DB_POOL_MAX: a request waits
# for a database connection (at most DB_POOL_TIMEOUT) rather than for a thread, and one that
# needs no database finds a thread while others wait for connections.
REQUEST_THREADS = 32
_request_threads = ThreadPoolExecutor(max_workers=REQUEST_THREADS, thread_name_prefix="request")
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


def serves_async_view(scope: Mapping[str, Any]) -> bool:
    """Whether the request's URL resolves to an async view (an event stream)."""
    script_name = asgi.get_script_prefix(scope)
    path_info = scope["path"].removeprefix(script_name) if script_name else scope["path"]
    return _resolves_to_async_view(settings.ROOT_URLCONF, path_info)


@functools.lru_cache(maxsize=1024)
def _resolves_to_async_view(urlconf: str, path_info: str) -> bool:
    try:
        match = get_resolver(urlconf).resolve(path_info)
    except Resolver404:
        return False
    return iscoroutinefunction(match.func)


def in_request_thread(function: Callable[[*_Ts], _T], *args: *_Ts) -> asyncio.Future[_T]:
    """`function(*args)` on one of REQUEST_THREADS threads, in a copy of the caller's context."""
    loop = asyncio.get_running_loop()
    return loop.run_in_executor(_request_threads, contextvars.copy_context().run, function, *args)


class ASGIHandler(asgi.ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        # The same middleware again, as the sync chain that WSGI would run.
        self.sync_handler = base.BaseHandler()
        self.sync_handler.load_middleware(is_async=False)

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        global _serving_loop
        _serving_loop = asyncio.get_running_loop()
        if scope["type"] == "http" and not serves_async_view(scope):
            await self.handle_in_one_hop(scope, receive, send)
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
        # A streaming response is a StreamingHttpResponse, which has is_async.
        if response.streaming and response.is_async:  # type: ignore[attr-defined]
            await sync_to_async(connections.close_all)()
            _request_thread.get().release()
        await super().send_response(response, send)
