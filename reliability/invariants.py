"""The rules a reliability run must leave true, checked against the database after the load.

Reads the run's stores straight from PostgreSQL (psycopg, no Django) and compares them with
what the clients were told (`reliability.load.Ledger`) and what every stream delivered:

- every order acknowledged with a 201 is in the database, exactly once, as acknowledged;
  no key made two orders and no order exists that no client sent;
- order numbers are unique per store, run 1..N without gaps, and match the store's counter;
- no order was placed in a session that had already closed;
- every order's total is the sum of its lines; every event's table total and count are those
  of the live orders at that point; the final floor (GET admin/tables) matches the database;
- every change has exactly one outbox event, in a possible order (created, forward status
  changes, deleted; a session's close last); confirmed changes are all there;
- every order has its kitchen tickets, each announced once (`ticket.created`) right after the
  order's event, with the order's number and time, and whose last event shows its stored
  status (a deleted order's: cancelled);
- every stream delivered every event of its scope exactly once, in id order, across reconnects.
"""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

import psycopg
from psycopg.rows import dict_row

from reliability.streams import check_streams

STATUS_FLOW = ["pending", "preparing", "completed"]
EXAMPLES_KEPT = 5


@dataclass
class Findings:
    """Broken rules by name (a count each, with a few examples), and the run's figures."""

    figures: dict = field(default_factory=dict)
    violations: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=lambda: defaultdict(list))

    def fail(self, rule, example):
        self.violations[rule] += 1
        if len(self.examples[rule]) < EXAMPLES_KEPT:
            self.examples[rule].append(example)

    def as_dict(self):
        return {
            "figures": self.figures,
            "violations": dict(self.violations),
            "examples": {rule: examples for rule, examples in self.examples.items() if examples},
        }

    def save(self, path):
        """Write `as_dict()` as JSON to `path`."""
        path.write_text(json.dumps(self.as_dict(), indent=2, ensure_ascii=False, default=str) + "\n")


@dataclass
class Snapshot:
    """The run's stores as the database holds them."""

    stores: dict  # id → last_order_number
    orders: dict  # id → row
    line_totals: dict  # order id → sum of unit_price × quantity
    sessions: dict  # id → row
    calls: dict  # id → row
    tickets: dict  # id (text) → row
    events: list  # rows, by id

    @classmethod
    def read(cls, database_url, store_ids):
        with psycopg.connect(database_url, row_factory=dict_row) as conn:

            def rows(sql):
                return conn.execute(sql, [list(store_ids)]).fetchall()

            return cls(
                stores={
                    r["id"]: r["last_order_number"]
                    for r in rows("SELECT id, last_order_number FROM accounts_store WHERE id = ANY(%s)")
                },
                orders={r["id"]: r for r in rows("SELECT * FROM orders_order WHERE store_id = ANY(%s)")},
                line_totals={
                    r["order_id"]: r["total"]
                    for r in rows(
                        "SELECT l.order_id, SUM(l.unit_price * l.quantity) AS total FROM orders_orderline l "
                        "JOIN orders_order o ON o.id = l.order_id WHERE o.store_id = ANY(%s) GROUP BY l.order_id"
                    )
                },
                sessions={r["id"]: r for r in rows("SELECT * FROM orders_tablesession WHERE store_id = ANY(%s)")},
                calls={r["id"]: r for r in rows("SELECT * FROM orders_staffcall WHERE store_id = ANY(%s)")},
                tickets={
                    str(r["id"]): r
                    for r in rows("SELECT id, order_id, status FROM kitchen_kitchenticket WHERE store_id = ANY(%s)")
                },
                events=rows(
                    "SELECT id, store_id, table_id, session_id, type, payload FROM orders_orderevent "
                    "WHERE store_id = ANY(%s) ORDER BY id"
                ),
            )


def check_orders(snapshot, ledger, findings):
    """Every order was answered for certain (no 5xx but 503s), acknowledged ones are stored once,
    as acknowledged; numbers; sessions; line totals."""
    orders = snapshot.orders
    found = 0
    for order_id, acked in ledger.acknowledged.items():
        stored = orders.get(order_id)
        if stored is None:
            findings.fail("acknowledged order missing", acked)
            continue
        found += 1
        told = (acked["number"], acked["total"], acked["table"]["id"], acked["session_id"], acked["idempotency_key"])
        kept = (stored["number"], stored["total"], stored["table_id"], stored["session_id"], stored["idempotency_key"])
        if told != kept:
            findings.fail("acknowledged order differs from the stored one", {"told": told, "stored": kept})
    for error in ledger.bad_server_errors:
        findings.fail("5xx other than 503 with the error shape", error)
    if ledger.gave_up:
        findings.fail("order never answered for certain", ledger.gave_up)
    for key, order_ids in ledger.keys.items():
        if len(order_ids) > 1:
            findings.fail("one key answered with two orders", {"key": key, "orders": sorted(order_ids)})
    by_key = Counter((o["table_id"], o["idempotency_key"]) for o in orders.values())
    for (table_id, key), count in by_key.items():
        if count > 1:
            findings.fail("duplicate order", {"table": table_id, "key": key, "count": count})
        if key not in ledger.sent_keys:
            findings.fail("order no client sent", {"table": table_id, "key": key})
    for store_id, last_number in snapshot.stores.items():
        numbers = sorted(o["number"] for o in orders.values() if o["store_id"] == store_id)
        if len(set(numbers)) != len(numbers):
            findings.fail("order number repeated in a store", {"store": store_id})
        if numbers != list(range(1, len(numbers) + 1)) or last_number != len(numbers):
            findings.fail("order numbers not 1..N", {"store": store_id, "counter": last_number, "count": len(numbers)})
    for order in orders.values():
        session = snapshot.sessions[order["session_id"]]
        if session["table_id"] != order["table_id"]:
            findings.fail("order in another table's session", order["id"])
        if session["closed_at"] is not None and order["created_at"] >= session["closed_at"]:
            findings.fail("order placed in a closed session", order["id"])
        if snapshot.line_totals.get(order["id"]) != order["total"]:
            findings.fail("order total is not the sum of its lines", order["id"])
    findings.figures.update(
        {
            "orders acknowledged": len(ledger.acknowledged),
            "orders found": found,
            "orders in the database": len(orders),
            "duplicates": findings.violations["duplicate order"]
            + findings.violations["one key answered with two orders"],
            "orders given up": ledger.gave_up,
        }
    )


def check_final_floor(snapshot, final_tables, findings):
    """GET admin/tables at the end shows each open session's live total and count."""
    live = defaultdict(lambda: [0, 0])
    for order in snapshot.orders.values():
        if order["deleted_at"] is None:
            live[order["session_id"]][0] += order["total"]
            live[order["session_id"]][1] += 1
    open_sessions = {s["table_id"]: s["id"] for s in snapshot.sessions.values() if s["closed_at"] is None}
    for table in final_tables:
        session = table["session"]
        expected = open_sessions.get(table["id"])
        if (session and session["id"]) != expected:
            findings.fail("floor shows the wrong session", {"table": table["id"], "session": session})
        elif session and [session["total"], session["order_count"]] != live[expected]:
            findings.fail(
                "table total differs from its live orders",
                {"table": table["id"], "shown": [session["total"], session["order_count"]], "live": live[expected]},
            )


def check_events(snapshot, ledger, findings):
    """Exactly one event per change, in a possible order, with the table state of that moment."""
    orders, sessions, calls = snapshot.orders, snapshot.sessions, snapshot.calls
    per_order, per_session, per_call = defaultdict(list), defaultdict(list), defaultdict(list)
    menu_updates = Counter()
    live = defaultdict(dict)  # session id → {order id: total} as the events tell it
    for event in snapshot.events:
        kind, payload = event["type"], event["payload"]
        if event["session_id"] is not None:
            per_session[event["session_id"]].append(event)
        if kind.startswith("order."):
            order = payload["order"]
            per_order[order["id"]].append(event)
            if kind == "order.created":
                live[event["session_id"]][order["id"]] = order["total"]
            elif kind == "order.deleted":
                live[event["session_id"]].pop(order["id"], None)
        elif kind.startswith("staff_call."):
            per_call[payload["call"]["id"]].append(kind)
        elif kind == "menu.updated":
            menu_updates[event["store_id"]] += 1
        if "table" in payload:
            _check_table_state(event, live, findings)

    for order_id, order in orders.items():
        _check_order_events(order, per_order.pop(order_id, []), ledger, findings)
    for order_id in per_order:
        findings.fail("event for an order not in the database", order_id)
    for session_id, session in sessions.items():
        events = per_session.get(session_id, [])
        closes = [e for e in events if e["type"] == "session.closed"]
        if len(closes) != (session["closed_at"] is not None):
            findings.fail("session close without exactly one event", session_id)
        elif closes and events[-1] is not closes[0]:
            findings.fail("event after its session closed", session_id)
        if any(e["table_id"] != session["table_id"] for e in events):
            findings.fail("event on another table than its session's", session_id)
        if ledger.confirmed[("session.closed", session_id)] > 1:
            findings.fail("one session closed twice", session_id)
        if ledger.confirmed[("session.closed", session_id)] and session["closed_at"] is None:
            findings.fail("confirmed close not kept", session_id)
    for call_id, call in calls.items():
        expected = ["staff_call.created"] + (["staff_call.acknowledged"] if call["acknowledged_at"] else [])
        if per_call.get(call_id, []) != expected:
            findings.fail("staff call without exactly its events", {"call": call_id, "events": per_call.get(call_id)})
    for store_id in snapshot.stores:
        confirmed = ledger.confirmed[("menu.updated", store_id)]
        if not confirmed <= menu_updates[store_id] <= confirmed + ledger.uncertain[("menu.updated", store_id)]:
            findings.fail(
                "menu changes and menu.updated events differ", {"store": store_id, "events": menu_updates[store_id]}
            )
    findings.figures["events"] = len(snapshot.events)
    findings.figures["events by type"] = dict(Counter(e["type"] for e in snapshot.events))


def _check_table_state(event, live, findings):
    table = event["payload"]["table"]
    if event["type"] == "session.closed":
        expected = [None, 0, 0]
    else:
        orders = live[event["session_id"]]
        expected = [event["session_id"], sum(orders.values()), len(orders)]
    shown = [table["session_id"], table["total"], table["order_count"]]
    if shown != expected:
        findings.fail(
            "event's table state differs from its live orders", {"event": event["id"], "shown": shown, "live": expected}
        )


def _check_order_events(order, events, ledger, findings):
    kinds = [e["type"] for e in events]
    updates = [e["payload"]["order"]["status"] for e in events if e["type"] == "order.updated"]
    expected_kinds = ["order.created"] + ["order.updated"] * len(updates)
    if order["deleted_at"] is not None:
        expected_kinds.append("order.deleted")
    if kinds != expected_kinds:
        findings.fail("order without exactly its events, in order", {"order": order["id"], "events": kinds})
    flow = [STATUS_FLOW.index(status) for status in ["pending", *updates]]
    # Forward any steps, or back exactly one (a manager's step back; a change sent from a stale
    # read of the order is one too).
    if (
        any(later - earlier not in {-1, 1, 2} for earlier, later in pairwise(flow))
        or order["status"] != STATUS_FLOW[flow[-1]]
    ):
        findings.fail(
            "status events not forward or one step back, or not the stored status",
            {"order": order["id"], "statuses": updates},
        )
    confirmed = ledger.confirmed[("order.updated", order["id"])]
    if not confirmed <= len(updates) <= confirmed + ledger.uncertain[("order.updated", order["id"])]:
        findings.fail(
            "confirmed status changes and events differ",
            {"order": order["id"], "confirmed": confirmed, "events": len(updates)},
        )
    if ledger.confirmed[("order.deleted", order["id"])] > 1:
        findings.fail("one order deleted twice", order["id"])
    if ledger.confirmed[("order.deleted", order["id"])] and order["deleted_at"] is None:
        findings.fail("confirmed delete not kept", order["id"])


def check_tickets(snapshot, findings):
    """Each order's tickets are announced right after it (within its store's events: other
    stores take ids in between), once each, as its order; each one's last event shows its status."""
    by_order = defaultdict(set)
    for ticket_id, ticket in snapshot.tickets.items():
        by_order[ticket["order_id"]].add(ticket_id)
    for order_id in snapshot.orders.keys() - by_order.keys():
        findings.fail("order without a kitchen ticket", order_id)
    announced, last_status = Counter(), {}
    by_store = defaultdict(list)
    for event in snapshot.events:
        by_store[event["store_id"]].append(event)
        if event["type"] in ("ticket.created", "ticket.updated"):
            ticket = event["payload"]["ticket"]
            announced[ticket["id"]] += event["type"] == "ticket.created"
            last_status[ticket["id"]] = ticket["status"]
    for events in by_store.values():
        for index, event in enumerate(events):
            if event["type"] != "order.created":
                continue
            order = event["payload"]["order"]
            count = len(by_order[order["id"]])
            following = [e["payload"].get("ticket", {}) for e in events[index + 1 : index + 1 + count]]
            shown = {(t.get("id"), t.get("order_id"), t.get("number"), t.get("created_at")) for t in following}
            expected = {
                (ticket_id, order["id"], order["number"], order["created_at"]) for ticket_id in by_order[order["id"]]
            }
            if [e["type"] for e in events[index + 1 : index + 1 + count]] != [
                "ticket.created"
            ] * count or shown != expected:
                findings.fail("order's tickets not announced right after it, as it", order["id"])
    for ticket_id, ticket in snapshot.tickets.items():
        if announced[ticket_id] != 1:
            findings.fail("ticket not announced exactly once", {"ticket": ticket_id, "times": announced[ticket_id]})
        if last_status.get(ticket_id) != ticket["status"]:
            findings.fail(
                "ticket's last event differs from its status",
                {"ticket": ticket_id, "event": last_status.get(ticket_id), "stored": ticket["status"]},
            )
        order = snapshot.orders.get(ticket["order_id"])
        if order is not None and order["deleted_at"] is not None and ticket["status"] != "cancelled":
            findings.fail("deleted order's ticket not cancelled", ticket_id)
    for ticket_id in announced.keys() - snapshot.tickets.keys():
        findings.fail("event for a ticket not in the database", ticket_id)
    findings.figures["kitchen tickets"] = len(snapshot.tickets)


def check_run(database_url, store_ids, ledger, streams, final_tables):
    """All the rules over one run; returns Findings."""
    findings = Findings()
    snapshot = Snapshot.read(database_url, store_ids)
    check_orders(snapshot, ledger, findings)
    check_final_floor(snapshot, final_tables, findings)
    check_events(snapshot, ledger, findings)
    check_tickets(snapshot, findings)
    check_streams(snapshot, streams, findings)
    return findings
