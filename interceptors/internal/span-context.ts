import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import type { Context, Span } from "@opentelemetry/api";

/**
 * The key the API keeps a context's span under, learnt from the API itself: `trace.getSpan`
 * asks the context it is given for exactly that key. `undefined` if some API version did not.
 */
const SPAN_KEY: symbol | undefined = (() => {
  let asked: symbol | undefined;
  const probe: Context = {
    getValue(key) {
      asked = key;
      return undefined;
    },
    setValue: () => ROOT_CONTEXT,
    deleteValue: () => ROOT_CONTEXT,
  };
  trace.getSpan(probe);
  return asked;
})();

/**
 * `parent` with `span` set, as `trace.setSpan` makes it but as one small object: the API's
 * context copies its parent's whole Map and makes three closures, which for a consumer that
 * activates a span per message was the costliest step after the span itself. Reads of other
 * keys go to `parent`; deriving a context from this one (`setValue`, `deleteValue`) builds the
 * API's own context first, so derived contexts behave exactly as before.
 */
class SpanOnlyContext implements Context {
  readonly #parent: Context;
  readonly #span: Span;
  readonly #key: symbol;

  constructor(parent: Context, span: Span, key: symbol) {
    this.#parent = parent;
    this.#span = span;
    this.#key = key;
  }

  getValue(key: symbol): unknown {
    return key === this.#key ? this.#span : this.#parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return trace.setSpan(this.#parent, this.#span).setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return trace.setSpan(this.#parent, this.#span).deleteValue(key);
  }
}

/** `trace.setSpan(parent, span)`, made cheaply (see {@link SpanOnlyContext}). */
export function contextWithSpan(parent: Context, span: Span): Context {
  return SPAN_KEY === undefined ? trace.setSpan(parent, span) : new SpanOnlyContext(parent, span, SPAN_KEY);
}
