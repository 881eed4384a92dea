// 과거 내역: orders of ended sessions, newest first, by table and date range, page by page.

import { api, messageOf } from "./api.js";
import { $, clock, config, dateTime, displayNumber, h, lineLabel, noteBlock, t, won } from "./dom.js";

const PAGE_SIZE = 20;

const state = { next: null, orders: [], count: undefined, loading: false, generation: 0, numbers: new Map() };

/** Show the history view for `tableId` (null: every table); `tables` fills the table picker. */
export function openHistory(tables, tableId) {
  const select = $("history-table");
  state.numbers = new Map(tables.map((table) => [String(table.id), table.number]));
  select.replaceChildren(
    select.options[0],
    ...tables.map((table) => h("option", { value: String(table.id), text: t("tableTitle", { number: table.number }) })),
  );
  select.value = tableId === null ? "" : String(tableId);
  search();
}

export function bindHistory() {
  $("history-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  $("history-table").addEventListener("change", search);
  $("history-clear").addEventListener("click", () => {
    $("history-from").value = "";
    $("history-to").value = "";
    search();
  });
  $("history-more").addEventListener("click", () => load(state.next));
}

function search() {
  const select = $("history-table");
  const from = $("history-from").value;
  const to = $("history-to").value;
  const number = state.numbers.get(select.value);
  $("history-title").textContent = number === undefined ? t("historyAll") : t("historyTitle", { number });
  state.orders = [];
  state.next = null;
  state.count = undefined;
  render();
  if (from && to && from > to) {
    state.generation += 1;
    return showError(t("badRange"));
  }
  const query = new URLSearchParams({ page_size: String(PAGE_SIZE) });
  if (select.value) query.set("table", select.value);
  if (from) query.set("date_from", from);
  if (to) query.set("date_to", to);
  load(`history?${query}`);
}

/** Load a page and append it; a newer search makes an older answer moot. */
async function load(path) {
  if (!path) return;
  const generation = ++state.generation;
  state.loading = true;
  showError("");
  $("history-more").disabled = true;
  try {
    const page = await api(path);
    if (generation !== state.generation) return;
    state.orders = state.orders.concat(page.results);
    state.next = page.next;
    state.count = page.count;
  } catch (error) {
    if (generation === state.generation) showError(t("loadFailed", { message: messageOf(error) }));
  } finally {
    if (generation === state.generation) {
      state.loading = false;
      $("history-more").disabled = false;
      render();
    }
  }
}

function showError(message) {
  $("history-error").textContent = message;
  $("history-error").hidden = !message;
}

function render() {
  const { orders, next } = state;
  $("history-list").replaceChildren(...orders.map(historyCard));
  $("history-empty").hidden = orders.length > 0 || state.loading || state.count === undefined;
  $("history-more").hidden = !next;
  $("history-summary").textContent = orders.length ? t("historyCount", { count: state.count }) : "";
}

/** What else happened to the order: its step backs, and its table closed before it was completed
 * (which is why history may show it 대기중 or 준비중). */
function auditList(records) {
  if (!records.length) return null;
  return h("ul", { class: "past-audit" },
    records.map((record) =>
      h("li", { class: `audit-${record.kind}` },
        record.kind === "closed_unfinished"
          ? t("closedUnfinished", { status: config.statuses[record.from_status] })
          : record.kind === "moved"
            ? t("movedAudit", { time: clock(record.at), by: record.by || "-", from: record.from_table ?? "-", to: record.to_table ?? "-" })
            : t("steppedBack", {
            time: clock(record.at),
            by: record.by || "-",
            from: config.statuses[record.from_status],
            to: config.statuses[record.to_status],
          }),
      ),
    ),
  );
}

function historyCard(order) {
  return h("li", { class: "past-order", "data-order": order.id },
    h("div", { class: "past-head" },
      h("strong", { class: "past-no", text: displayNumber(order) }),
      h("span", { class: "past-table", text: t("tableTitle", { number: order.table.number }) }),
      h("span", { class: "muted", text: t("orderedAt", { time: dateTime(order.created_at) }) }),
      h("span", { class: `badge status-${order.status}`, text: order.status_label || order.status }),
    ),
    h("ul", { class: "past-lines" },
      order.items.map((line) =>
        h("li", {},
          lineLabel(line),
          h("span", { text: won(line.line_total) }),
        ),
      ),
    ),
    order.note ? noteBlock(order.note) : null,
    auditList(order.audit || []),
    h("div", { class: "past-foot" },
      h("span", { class: "past-closed", text: t("closedAt", { time: dateTime(order.session_closed_at) }) }),
      h("strong", { class: "past-total", text: won(order.total) }),
    ),
  );
}

