/**
 * Billing months (`YYYY-MM`), shared by the widgets (through the SDK) and the server: a module of
 * their own, so a widget that only steps through months does not load the payment rules.
 */

/** The month (`YYYY-MM`) `by` months after `period` (before, when negative). */
export function shiftPeriod(period: string, by: number): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + by;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The month (`YYYY-MM`) of a moment, in UTC as the server counts payment months. */
export function periodOfDate(date: Date): string {
  return `${String(date.getUTCFullYear()).padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}
