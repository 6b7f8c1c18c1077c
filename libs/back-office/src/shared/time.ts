/** Instants leave the back office as ISO 8601 UTC (http-and-events.md). */
export function isoOf(instantMs: number): string {
  return new Date(instantMs).toISOString();
}
