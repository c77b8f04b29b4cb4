/**
 * The reading window: the days of the month (in the tenant's time zone) when readings are taken
 * for the current billing period. A window whose start day is after its end day runs over the
 * month's end (e.g. 25th to 5th: readings from 25 March to 5 April count for March). Days past
 * a month's length mean its last day.
 */

import { offsetMs } from '../i18n/time-zones.ts';

export interface WindowRules {
  windowStartDay: number;
  windowEndDay: number;
  outsideWindow: 'reject' | 'next-period';
  timeZone: string;
}

export interface LocalDate {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
}

export interface WindowState {
  /** Today, in the tenant's time zone. */
  today: LocalDate;
  /** Readings are taken now. */
  open: boolean;
  /** The period (`YYYY-MM`) of the window that is open now, or of the next one when closed. */
  period: string;
  /** First and last day (`YYYY-MM-DD`) of that window. */
  opensOn: string;
  closesOn: string;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of `now` in `timeZone`. */
export function localDate(now: Date, timeZone: string): LocalDate {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day) };
}

function shift(year: number, month: number, by: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + by;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function periodOf(year: number, month: number): string {
  return `${pad(year, 4)}-${pad(month)}`;
}

/** `YYYY-MM-DD` of a day of a month, the day capped at the month's length. */
function dayOf(year: number, month: number, day: number): string {
  return `${periodOf(year, month)}-${pad(Math.min(day, daysIn(year, month)))}`;
}

export function formatLocalDate(d: LocalDate): string {
  return dayOf(d.year, d.month, d.day);
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The window as it stands at `now`. */
export function windowAt(rules: WindowRules, now: Date): WindowState {
  const today = localDate(now, rules.timeZone);
  const { year, month, day } = today;
  const start = Math.min(rules.windowStartDay, daysIn(year, month));
  const end = Math.min(rules.windowEndDay, daysIn(year, month));
  const windowOf = (offset: number, open: boolean): WindowState => {
    const p = shift(year, month, offset);
    const closing = rules.windowStartDay > rules.windowEndDay ? shift(p.year, p.month, 1) : p;
    return {
      today,
      open,
      period: periodOf(p.year, p.month),
      opensOn: dayOf(p.year, p.month, rules.windowStartDay),
      closesOn: dayOf(closing.year, closing.month, rules.windowEndDay),
    };
  };
  if (rules.windowStartDay <= rules.windowEndDay) {
    if (day < start) return windowOf(0, false);
    if (day > end) return windowOf(1, false);
    return windowOf(0, true);
  }
  if (day >= start) return windowOf(0, true);
  if (day <= end) return windowOf(-1, true);
  return windowOf(0, false);
}

/** The moment a calendar day (`YYYY-MM-DD`) begins in `timeZone`. */
export function zonedMidnight(day: string, timeZone: string): Date {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  let at = midnightUtc - offsetMs(new Date(midnightUtc), timeZone);
  at = midnightUtc - offsetMs(new Date(at), timeZone);
  return new Date(at);
}
