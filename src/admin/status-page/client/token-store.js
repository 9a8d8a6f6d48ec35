/**
 * The admin token the reader typed, kept for this tab only (sessionStorage: gone when the tab
 * closes, never sent anywhere but as the Bearer header of the page's own requests). Falls back to
 * memory when storage is disabled, so the form then asks again after a reload.
 */

const KEY = "traceway.admin.token";
/** @type {string | null} */
let memory = null;

/** @returns {string | null} */
export function getToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return memory;
  }
}

/** @param {string} token */
export function setToken(token) {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    memory = token;
  }
}

export function forgetToken() {
  memory = null;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}
