"""Domain errors that services raise; the API turns them into HTTP statuses."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Conflict(Exception):
    """The request is valid but clashes with the current state (HTTP 409); `details` are keys
    the error body carries beside `code` and `message` (e.g. `reason`)."""

    def __init__(self, message: "StrOrPromise", code: str = "conflict", **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details


class RateLimited(Exception):
    """Too many requests of this kind from one client just now (HTTP 429); `retry_after` is
    the number of seconds until one more would be accepted."""

    def __init__(self, message: "StrOrPromise", retry_after: int, code: str = "rate_limited") -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self.code = code
