/**
 * An expected outcome as a value (STYLE.md 5): `ok` with a value, or not `ok` with an error value.
 * Exceptions stay for bugs and broken infrastructure.
 */
export type Result<T, E> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
