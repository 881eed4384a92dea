// A table's current session as both screens keep it, `{sessionId, orders: Map(id → order), …}`,
// and the one reducer that applies a stream event to it. Every event about a table carries the
// table's state after the change (`data.table.session_id`): an order counts only while its
// session is the table's current one, so "이용 완료" (session.closed) empties the list.

export const ORDER_EVENTS = ["order.created", "order.updated", "order.deleted", "session.closed", "order.moved", "session.moved"];

/** (state, {type, data}) → state; `state` is not changed, other keys are carried over. */
export function sessionReducer(state, { type, data }) {
  const sessionId = data.table ? data.table.session_id : state.sessionId;
  const orders = new Map(state.orders);
  if ((type === "order.created" || type === "order.updated" || type === "order.moved") && data.order.session_id === sessionId) {
    orders.set(data.order.id, data.order);
  } else if (type === "order.deleted" || type === "order.moved") {
    orders.delete(data.order.id);
  } else if (type === "session.moved") {
    // 이동·합석: the guests' orders that came to this table (none on the table they left).
    for (const order of data.orders) if (order.session_id === sessionId) orders.set(order.id, order);
  }
  for (const order of orders.values()) if (order.session_id !== sessionId) orders.delete(order.id);
  return { ...state, sessionId, orders };
}
