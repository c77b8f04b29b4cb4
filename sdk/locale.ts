/**
 * Picks the supported language closest to `requested`: an exact match, then
 * the same base language (`en-US` → `en`, `ru` → `ru-RU`), else `fallback`.
 */
export function pickLocale(requested: string, supported: readonly string[], fallback: string): string {
  const wanted = requested.toLowerCase();
  const exact = supported.find((lng) => lng.toLowerCase() === wanted);
  if (exact) return exact;
  const base = wanted.split('-')[0];
  return supported.find((lng) => lng.toLowerCase().split('-')[0] === base) ?? fallback;
}
