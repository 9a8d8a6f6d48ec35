/**
 * The few DOM helpers the page needs. Text always goes in as text nodes (never innerHTML), so a
 * backend name or a reason from the API cannot inject markup, and the CSP can forbid inline code.
 */

/** @typedef {string | number | Node | null | undefined | false} Child */

/**
 * Creates an element with attributes and children. `class` sets the class list; a `null`,
 * `undefined` or `false` attribute is left out.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number | boolean | null | undefined>} [attributes]
 * @param {...(Child | readonly Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

/**
 * @param {Element} parent
 * @param {readonly (Child | readonly Child[])[]} children
 */
function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (typeof child === "string" || typeof child === "number") parent.append(String(child));
    else if (child instanceof Node) parent.append(child);
    else append(parent, child);
  }
}

/**
 * Replaces an element's children.
 * @param {Element} parent
 * @param {...(Child | readonly Child[])} children
 */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * Sets text only when it changed, so a once-a-second refresh does not disturb a selection.
 * @param {Element} element
 * @param {string} text
 */
export function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

/**
 * Sets an attribute only when it changed.
 * @param {Element} element
 * @param {string} name
 * @param {string} value
 */
export function setAttr(element, name, value) {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

/**
 * The element with this id; the page's HTML shell defines every id the code asks for.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`status page: no #${id} in the page`);
  return element;
}
