/** Outcome of parsing one config value: the normalised value, or a message for the user. */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function fail<T = never>(message: string): Parsed<T> {
  return { ok: false, message };
}

/** A config value as it appears in a message: strings quoted, everything else as JSON, kept short. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    // undefined for functions and symbols; throws for bigints and cycles: neither occurs in parsed YAML.
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = typeof value;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
