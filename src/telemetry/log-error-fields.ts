import pino from "pino";

/** Where an Error's parts go in one layout. */
export interface ErrorFieldNames {
  readonly type: string;
  readonly message: string;
  readonly stack: string;
  readonly code: string;
}

/**
 * An `err` logged by the code, as flat fields: pino's own serializer (it follows `cause` chains
 * into message and stack) without its `err` object, which ECS does not know and the `json`
 * layout keeps flat like the Gin service's `error_message`.
 */
export function errorFields(value: unknown, names: ErrorFieldNames, into: Record<string, unknown>): void {
  if (!(value instanceof Error)) {
    into[names.message] = typeof value === "string" ? value : JSON.stringify(value);
    return;
  }
  const serialized = pino.stdSerializers.err(value);
  into[names.type] = serialized.type;
  into[names.message] = serialized.message;
  if (serialized.stack) into[names.stack] = serialized.stack;
  const code = (value as NodeJS.ErrnoException).code;
  if (typeof code === "string") into[names.code] = code;
}
