import type { Granularity } from "../../api/trends";

/** The range the trends cover: days as YYYY-MM-DD (UTC), both inclusive. */
export interface Period {
  from: string;
  to: string;
  granularity: Granularity;
}

/** How far back the page looks when it opens: twelve weeks, to the latest request. */
export const DEFAULT_WEEKS = 12;

const DAY_MS = 86_400_000;

/** The UTC day of `date`, as YYYY-MM-DD. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** `day` moved by `days` (negative goes back). */
export function addDays(day: string, days: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

/** The `weeks` weeks that end on `last`, by week. */
export function weeksEndingOn(last: string, weeks = DEFAULT_WEEKS): Period {
  return { from: addDays(last, 1 - weeks * 7), to: last, granularity: "week" };
}

/** The period shown first: the weeks up to the latest request's day (or today without any),
 * so a contact centre's history shows where it has requests rather than an empty chart. */
export function openingPeriod(latestRequestAt: string | null, now: Date): Period {
  const latest = latestRequestAt ? new Date(latestRequestAt) : null;
  const last = latest && !Number.isNaN(latest.getTime()) && latest < now ? latest : now;
  return weeksEndingOn(utcDay(last));
}

/** Seconds since the epoch at the start of `day` (UTC), as the chart's x axis wants. */
export function epochSeconds(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

const DAY_NAME = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});

/** "16 Feb 2015", or "Week of 16 Feb 2015" for a week's Monday. */
export function periodName(start: string, granularity: Granularity): string {
  const day = DAY_NAME.format(new Date(`${start}T00:00:00Z`));
  return granularity === "week" ? `Week of ${day}` : day;
}

/** A net score or its change with its sign: "+0.25", "−0.40" (a true minus, read aloud). */
export function signed(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return "–";
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return text;
  return value > 0 ? `+${text}` : `−${text}`;
}

/** "−0.55 to −0.31". */
export function interval(low: number, high: number): string {
  return `${signed(low)} to ${signed(high)}`;
}
