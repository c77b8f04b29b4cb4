import { createRequire } from 'node:module';

interface ParsedAgent {
  browser: { name?: string };
  os: { name?: string };
  device: { type?: string };
}

// ua-parser-js 1.x (MIT) ships CommonJS without types: the part used here is typed by hand.
const { UAParser } = createRequire(import.meta.url)('ua-parser-js') as {
  UAParser: new (userAgent: string) => { getResult(): ParsedAgent };
};

/** A session's device as a person names it: the browser and the system, each null when the User-Agent does not say. */
export interface Device {
  browser: string | null;
  os: string | null;
  /** A phone or a tablet. */
  mobile: boolean;
}

/** "Chrome" on "Windows" from a raw User-Agent, read by ua-parser-js. */
export function deviceOf(userAgent: string): Device {
  if (!userAgent) return { browser: null, os: null, mobile: false };
  const { browser, os, device } = new UAParser(userAgent).getResult();
  return { browser: browser.name ?? null, os: os.name ?? null, mobile: device.type === 'mobile' || device.type === 'tablet' };
}
