// The item dialog: picture, description, the option chooser and the quantity, then "담기".

import { MAX_QUANTITY, currentCart } from "./cart.js";
import { $, itemImage, t, won } from "./dom.js";
import { itemFacts } from "./lang.js";
import { chosenOptions, hasOptions, optionsById, renderChooser, unitPrice, unmetGroups } from "./options.js";
import { toast } from "./screens.js";

let shown = null;
let quantity = 1;
// The option ids picked in the dialog.
let chosen = new Set();

export function openItem(item) {
  quantity = 1;
  chosen = new Set();
  showItem(item);
  $("item-dialog").showModal();
  $("item-scroll").scrollTo({ top: 0 });
}

/** The menu changed: an open dialog shows the item as it is now, or closes if it is gone. */
export function refreshItem(itemById) {
  if (!$("item-dialog").open || !shown) return;
  const item = itemById(shown.id);
  if (item) showItem(item);
  else $("item-dialog").close();
}

function showItem(item) {
  shown = item;
  const soldOut = !item.is_available;
  // A choice the menu no longer offers (sold out meanwhile, or gone) is dropped.
  const offered = optionsById(item);
  for (const id of chosen) if (!offered.get(id)?.is_available) chosen.delete(id);
  $("item-media").replaceChildren(itemImage(item, "detail-image"));
  $("item-title").textContent = item.name;
  $("item-facts").replaceChildren(...itemFacts(item, "item-fact"));
  $("item-description").textContent = item.description;
  $("item-description").hidden = !item.description;
  $("item-soldout").hidden = !soldOut;
  $("item-dialog").classList.toggle("is-soldout", soldOut);
  $("item-dialog").classList.toggle("has-options", hasOptions(item));
  render();
}

function render() {
  const soldOut = !shown.is_available;
  const unit = unitPrice(shown, chosenOptions(shown, chosen));
  const complete = !unmetGroups(shown, chosen).length;
  renderChooser($("item-options"), shown, chosen, render);
  $("item-price").textContent = won(unit);
  $("item-qty").textContent = String(quantity);
  $("item-minus").disabled = soldOut || quantity <= 1;
  $("item-plus").disabled = soldOut || quantity >= MAX_QUANTITY;
  $("item-add").disabled = soldOut || !complete;
  $("item-add").textContent = soldOut
    ? t("soldOut")
    : complete
      ? t("addWithPrice", { price: won(unit * quantity) })
      : t("chooseRequired");
}

export function addToCart(item, count = 1, options = []) {
  if (!item.is_available) return;
  currentCart().add(item, count, options);
  toast(t("added", { name: item.name }));
}

export function bindItem() {
  $("item-minus").addEventListener("click", () => {
    quantity = Math.max(1, quantity - 1);
    render();
    // At one it is off: the keyboard goes to its other half.
    if ($("item-minus").disabled) $("item-plus").focus();
  });
  $("item-plus").addEventListener("click", () => {
    quantity = Math.min(MAX_QUANTITY, quantity + 1);
    render();
    if ($("item-plus").disabled) $("item-minus").focus();
  });
  $("item-add").addEventListener("click", () => {
    if (unmetGroups(shown, chosen).length) return;
    addToCart(shown, quantity, chosenOptions(shown, chosen));
    $("item-dialog").close();
  });
}
