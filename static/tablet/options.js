// Menu options: the chooser in the item dialog, and a cart line's options checked
// against the current menu. The server checks and prices every choice again; the tablet only
// names option ids.

import { optionsText } from "../shared/format.js";
import { h, t, won } from "./dom.js";

/** The item's groups, required ones (min_select ≥ 1) first, each kind in display order. */
export function orderedGroups(item) {
  const groups = item.option_groups || [];
  return [...groups.filter((group) => group.min_select > 0), ...groups.filter((group) => group.min_select === 0)];
}

export function hasOptions(item) {
  return Boolean(item.option_groups && item.option_groups.length);
}

/** The chosen options as a line keeps them, `[{id, name, price_delta}]`, in the chooser's order. */
export function chosenOptions(item, chosenIds) {
  return orderedGroups(item).flatMap((group) =>
    group.options
      .filter((option) => chosenIds.has(option.id))
      .map(({ id, name, price_delta }) => ({ id, name, price_delta })),
  );
}

/** The item's options by id, over all its groups. */
export function optionsById(item) {
  return new Map((item.option_groups || []).flatMap((group) => group.options.map((option) => [option.id, option])));
}

/** One unit of the item with these options (`[{price_delta}]`), in won. */
export function unitPrice(item, options) {
  return item.price + options.reduce((sum, option) => sum + option.price_delta, 0);
}

/** The groups whose choices are outside their limits; empty when the choice can be ordered. */
export function unmetGroups(item, chosenIds) {
  return (item.option_groups || []).filter((group) => {
    const count = group.options.filter((option) => chosenIds.has(option.id)).length;
    return count < group.min_select || count > group.max_select;
  });
}

/**
 * Why a cart line cannot be ordered as it is under the current menu: "soldOut" (the item or one
 * of its options is sold out or gone), "optionsChanged" (the choice no longer fits the item's
 * groups, e.g. a new required group), or null.
 */
export function lineProblem(line, item) {
  if (!item || !item.is_available) return "soldOut";
  const byId = optionsById(item);
  const ids = (line.options || []).map((option) => option.id);
  if (ids.some((id) => !byId.has(id) || !byId.get(id).is_available)) return "soldOut";
  return unmetGroups(item, new Set(ids)).length ? "optionsChanged" : null;
}

/** The options under a line, or null when it has none. */
export function optionsLabel(options) {
  if (!options || !options.length) return null;
  return h("span", { class: "line-options", text: optionsText(options) });
}

function limitHint(group) {
  if (group.min_select === group.max_select) return t("chooseExactly", { count: group.max_select });
  if (group.min_select > 0) return t("chooseBetween", { min: group.min_select, max: group.max_select });
  return t("chooseUpTo", { max: group.max_select });
}

/**
 * The chooser for `item` into `container`. `chosen` (a Set of option ids) is changed in place;
 * `onChange()` runs after each pick. A group of at most one choice works like radio buttons
 * (an optional one can be cleared by tapping its choice again); a full group disables the rest.
 */
export function renderChooser(container, item, chosen, onChange) {
  container.replaceChildren(
    ...orderedGroups(item).map((group) => {
      const required = group.min_select > 0;
      const single = group.max_select === 1;
      const count = group.options.filter((option) => chosen.has(option.id)).length;
      const full = count >= group.max_select;
      const missing = count < group.min_select;
      return h("fieldset", { class: `option-group${missing ? " is-missing" : ""}`, "data-group": group.id },
        h("legend", {},
          h("span", { class: "option-group-name", text: group.name }),
          h("span", { class: `tag ${required ? "tag-required" : "tag-optional"}`, text: required ? t("required") : t("optional") }),
          h("span", { class: "option-hint", text: limitHint(group) }),
        ),
        h("div", { class: "option-list" },
          group.options.map((option) => {
            const checked = chosen.has(option.id);
            const disabled = !option.is_available || (!checked && full && !single);
            const pick = () => {
              if (chosen.has(option.id)) {
                chosen.delete(option.id);
              } else {
                if (single) for (const other of group.options) chosen.delete(other.id);
                chosen.add(option.id);
              }
              onChange();
              // The chooser was drawn anew: keep the keyboard where it was.
              container.querySelector(`input[value="${option.id}"]`)?.focus();
            };
            return h("label", { class: `option${checked ? " is-checked" : ""}${option.is_available ? "" : " is-soldout"}` },
              h("input", {
                type: single && required ? "radio" : "checkbox",
                name: `group-${group.id}`,
                value: String(option.id),
                checked: checked && option.is_available,
                disabled,
                onclick: (event) => {
                  event.preventDefault();
                  pick();
                },
              }),
              h("span", { class: "option-mark", "aria-hidden": "true" }),
              h("span", { class: "option-name", text: option.name }),
              option.is_available
                ? h("span", { class: "option-delta", text: option.price_delta ? `+${won(option.price_delta)}` : "" })
                : h("span", { class: "tag tag-danger", text: t("soldOut") }),
            );
          }),
        ),
      );
    }),
  );
}
