"""The clients of a reliability run: tablets and managers, each noting what it was told.

Tablets order (a fresh Idempotency-Key per order, retried with the same key after a network
error or a 5xx until the server answers for certain), sometimes tap twice, call staff and read
their orders and the menu. Managers move orders forward, delete them, acknowledge calls,
close sessions (이용 완료) and switch a menu item sold out and back. Everything lands in one
`Ledger` that `reliability.invariants` checks against the database; the open streams are
`reliability.streams`'.
"""

import asyncio
import contextlib
import random
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import httpx

# An order is retried with its key until the server answers it for certain, for this long.
RETRY_DEADLINE_SECONDS = 60.0
RETRY_BACKOFF = (0.2, 2.0)
TABLET_PAUSE = (0.3, 1.5)
MANAGER_PAUSE = (0.2, 0.8)
# Longer than the server's heartbeat (15 s): a stream silent for this long is dead.
STREAM_READ_TIMEOUT = 40.0
NOTE = "덜 맵게 해 주세요"


@dataclass
class Request:
    """One HTTP request as a client saw it (monotonic clock)."""

    client: str
    operation: str
    started: float
    ended: float
    outcome: str  # the status code, or the name of the network error

    @property
    def failed(self):
        return not self.outcome.isdigit() or int(self.outcome) >= 500


@dataclass
class Ledger:
    """What the clients attempted and what they were told."""

    attempted: Counter = field(default_factory=Counter)  # logical operations (retries are one)
    outcomes: Counter = field(default_factory=Counter)  # "operation status" → count
    requests: list = field(default_factory=list)  # every Request
    bad_server_errors: list = field(default_factory=list)  # 5xx other than a 503 with the error shape
    acknowledged: dict = field(default_factory=dict)  # order id → the 201 body, with its key
    keys: dict = field(default_factory=lambda: defaultdict(set))  # key → order ids answered for it
    sent_keys: set = field(default_factory=set)  # every Idempotency-Key sent
    gave_up: int = 0  # orders whose retries ran out without an answer
    answered_after_retry: int = 0  # orders acknowledged only after a network error or a 5xx
    replayed: Counter = field(default_factory=Counter)  # operation → 201s marked Idempotent-Replayed
    # (event type, object id) → changes the server confirmed / answered unclearly.
    confirmed: Counter = field(default_factory=Counter)
    uncertain: Counter = field(default_factory=Counter)

    def server_errors(self):
        return sum(1 for r in self.requests if r.outcome.isdigit() and int(r.outcome) >= 500)

    def network_errors(self):
        return sum(1 for r in self.requests if not r.outcome.isdigit())


class Run:
    """Shared by every client of a run: the HTTP clients, the ledger, the stop signal, the clients."""

    def __init__(self, base_url, *, seed=None):
        self.base_url = base_url
        self.ledger = Ledger()
        self.streams, self.tablets, self.managers = [], [], []
        self.random = random.Random(seed)
        self.stopping = asyncio.Event()
        timeout = httpx.Timeout(30.0, connect=5.0)
        self.http = httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=httpx.Limits(max_connections=200))
        self.stream_http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(STREAM_READ_TIMEOUT, connect=5.0),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=0),
        )

    async def aclose(self):
        await self.http.aclose()
        await self.stream_http.aclose()

    async def pause(self, bounds):
        """Sleep a random while within `bounds`, waking early when the run stops."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), self.random.uniform(*bounds))

    async def request(self, client, operation, method, path, token, *, json_body=None, headers=None):
        """(status or None after a network error, parsed JSON body or None, response headers)."""
        ledger = self.ledger
        started = time.monotonic()
        try:
            response = await self.http.request(
                method, path, json=json_body, headers={"Authorization": f"Bearer {token}", **(headers or {})}
            )
        except httpx.TransportError as error:
            ledger.requests.append(Request(client, operation, started, time.monotonic(), type(error).__name__))
            ledger.outcomes[f"{operation} {type(error).__name__}"] += 1
            return None, None, {}
        status = response.status_code
        ledger.requests.append(Request(client, operation, started, time.monotonic(), str(status)))
        ledger.outcomes[f"{operation} {status}"] += 1
        body = _json(response)
        if status >= 500 and not (status == 503 and has_error_shape(body)):
            ledger.bad_server_errors.append({"operation": operation, "status": status, "body": response.text[:500]})
        return status, body, response.headers


def _json(response):
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        return response.json()
    except ValueError:
        return None


def has_error_shape(body):
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str)


def retryable(status):
    return status is None or status >= 500


class Tablet:
    """One table's tablet."""

    def __init__(self, run, store, table):
        self.run, self.store, self.table = run, store, table
        self.name = f"tablet {store['store_code']}/{table['number']}"
        # The last item is the one managers switch sold out and back: tablets never order it.
        self.items = store["menu_item_ids"][:-1]
        self.reasons = []  # the store's staff-call reasons, from the menu

    async def loop(self):
        await self.read_menu()
        while not self.run.stopping.is_set():
            roll = self.run.random.random()
            if roll < 0.7:
                await self.place_order()
            elif roll < 0.85:
                await self.call_staff()
            elif roll < 0.95:
                await self.read("orders read", "/api/v1/orders")
            else:
                await self.read_menu()
            await self.run.pause(TABLET_PAUSE)

    async def place_order(self):
        rng = self.run.random
        lines = rng.sample(self.items, rng.randint(1, 3))
        body = {"items": [{"menu_item_id": item, "quantity": rng.randint(1, 3)} for item in lines]}
        if rng.random() < 0.2:
            body["note"] = NOTE
        key = uuid.uuid4().hex
        self.run.ledger.attempted["order"] += 1
        if await self._send_order(body, key) and rng.random() < 0.05:
            # A double tap: the same order again must come back as the first one.
            self.run.ledger.attempted["order double tap"] += 1
            await self._send_order(body, key, operation="order double tap")

    async def _send_order(self, body, key, operation="order"):
        """POST the order, retrying with the same key until answered; True on a 201."""
        ledger = self.run.ledger
        ledger.sent_keys.add(key)
        deadline, attempt = time.monotonic() + RETRY_DEADLINE_SECONDS, 0
        while True:
            status, answer, headers = await self.run.request(
                self.name, operation, "POST", "/api/v1/orders", self.table["token"],
                json_body=body, headers={"Idempotency-Key": key},
            )  # fmt: skip
            if status == 201:
                ledger.acknowledged[answer["id"]] = {
                    **answer,
                    "idempotency_key": key,
                    "store_id": self.store["store_id"],
                }
                ledger.keys[key].add(answer["id"])
                ledger.answered_after_retry += attempt > 0
                ledger.replayed[operation] += headers.get("Idempotent-Replayed") == "true"
                return True
            if not retryable(status):
                return False
            if time.monotonic() > deadline:
                ledger.gave_up += 1
                return False
            await asyncio.sleep(min(RETRY_BACKOFF[1], RETRY_BACKOFF[0] * 2**attempt))
            attempt += 1

    async def call_staff(self):
        if not self.reasons:
            return
        self.run.ledger.attempted["staff call"] += 1
        reason = self.run.random.choice(self.reasons)
        await self.run.request(
            self.name, "staff call", "POST", "/api/v1/staff-calls", self.table["token"], json_body={"reason": reason}
        )

    async def read(self, operation, path):
        self.run.ledger.attempted[operation] += 1
        return await self.run.request(self.name, operation, "GET", path, self.table["token"])

    async def read_menu(self):
        status, menu, _headers = await self.read("menu read", "/api/v1/menu")
        if status == 200:
            self.reasons = menu["staff_call_reasons"]


class Manager:
    """One manager of a store, working the floor through the manager API."""

    def __init__(self, run, store, index):
        self.run, self.store = run, store
        self.name = f"manager {store['store_code']}/{index}"
        self.switch_item = store["menu_item_ids"][-1]

    async def loop(self):
        actions = [
            (0.40, self.change_status),
            (0.15, self.delete_order),
            (0.15, self.acknowledge_call),
            (0.10, self.close_session),
            (0.05, self.switch_menu_item),
            (0.15, self.read_tables),
        ]
        while not self.run.stopping.is_set():
            roll, total = self.run.random.random(), 0.0
            for weight, action in actions:
                total += weight
                if roll < total:
                    await action()
                    break
            await self.run.pause(MANAGER_PAUSE)

    async def _call(self, operation, method, path, json_body=None):
        return await self.run.request(
            self.name, operation, method, path, self.store["manager_token"], json_body=json_body
        )

    async def _pick(self, path):
        status, body, _headers = await self._call("manager read", "GET", path)
        results = body.get("results", []) if status == 200 and isinstance(body, dict) else []
        return self.run.random.choice(results) if results else None

    def _note(self, status, event_type, object_id, *, ok):
        """Count a change the server confirmed (`ok`), or one that may or may not have happened."""
        if status == ok:
            self.run.ledger.confirmed[(event_type, object_id)] += 1
        elif retryable(status):
            self.run.ledger.uncertain[(event_type, object_id)] += 1

    async def change_status(self):
        order = await self._pick("/api/v1/admin/orders?page_size=100")
        if order is None or order["status"] == "completed":
            return
        self.run.ledger.attempted["status change"] += 1
        later = ["pending", "preparing", "completed"]
        status_to = self.run.random.choice(later[later.index(order["status"]) + 1 :])
        status, _body, _headers = await self._call(
            "status change", "PATCH", f"/api/v1/admin/orders/{order['id']}", {"status": status_to}
        )
        self._note(status, "order.updated", order["id"], ok=200)

    async def delete_order(self):
        order = await self._pick("/api/v1/admin/orders?page_size=100")
        if order is None:
            return
        self.run.ledger.attempted["order delete"] += 1
        status, _body, _headers = await self._call("order delete", "DELETE", f"/api/v1/admin/orders/{order['id']}")
        self._note(status, "order.deleted", order["id"], ok=204)

    async def acknowledge_call(self):
        call = await self._pick("/api/v1/admin/staff-calls?status=open&page_size=100")
        if call is None:
            return
        self.run.ledger.attempted["call acknowledge"] += 1
        await self._call("call acknowledge", "POST", f"/api/v1/admin/staff-calls/{call['id']}/acknowledge")

    async def close_session(self):
        table = self.run.random.choice(self.store["tables"])
        self.run.ledger.attempted["session close"] += 1
        status, body, _headers = await self._call(
            "session close", "POST", f"/api/v1/admin/tables/{table['id']}/close-session"
        )
        if status == 200:
            self.run.ledger.confirmed[("session.closed", body["session"]["id"])] += 1

    async def switch_menu_item(self):
        self.run.ledger.attempted["menu switch"] += 1
        available = self.run.random.random() < 0.5
        status, _body, _headers = await self._call(
            "menu switch", "PATCH", f"/api/v1/admin/menu-items/{self.switch_item}", {"is_available": available}
        )
        self._note(status, "menu.updated", self.store["store_id"], ok=200)

    async def read_tables(self):
        self.run.ledger.attempted["tables read"] += 1
        await self._call("tables read", "GET", "/api/v1/admin/tables?page_size=100")
