/**
 * Readings' values in the meter's notation, shared by the widgets (through the SDK) and the
 * server: a module of their own, so a widget that only shows readings does not load the rules
 * that check them (contracts/rules/readings.ts).
 */

/** Readings are kept as integer thousandths of a unit (m³). */
export const MILLI_PER_UNIT = 1000;

/** Thousandths back to the meter's notation: `12345` or `12345.678`. */
export function formatReading(milli: number, decimals: number): string {
  const whole = Math.floor(milli / MILLI_PER_UNIT);
  if (decimals === 0) return String(whole);
  return `${whole}.${String(milli % MILLI_PER_UNIT)
    .padStart(3, '0')
    .slice(0, decimals)}`;
}
