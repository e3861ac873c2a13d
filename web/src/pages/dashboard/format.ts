import type { ApiError } from "../../lib/api";

const UNITS: [number, string][] = [
  [1e9, "B"],
  [1e6, "M"],
  [1e3, "k"],
];

/** 1234 → "1.2 k", 350000 → "350 k", 1250000 → "1.3 M": two or three significant digits. */
export function compact(n: number): string {
  const abs = Math.abs(n);
  for (const [size, unit] of UNITS) {
    if (abs >= size) {
      const v = n / size;
      const text = Math.abs(v) < 10 ? v.toFixed(1).replace(/\.0$/, "") : Math.round(v).toString();
      // 999.6 k rounds to "1000 k": say "1 M" instead.
      if (text === "1000" && unit !== "B") return compact(Math.sign(n) * size * 1000);
      return `${text} ${unit}`;
    }
  }
  return Math.round(n).toString();
}

const whole = new Intl.NumberFormat("en-GB");

/** 1234567 → "1,234,567" (tables: the exact number). */
export function full(n: number): string {
  return whole.format(n);
}

const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const shortDate = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
const dateTime = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit" });
const monthFormat = new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
const monthShort = new Intl.DateTimeFormat("en-GB", { month: "short", timeZone: "UTC" });

/** "1 January 2027" (UTC: periods and days are UTC). */
export const longDate = (iso: string | Date) => dateFormat.format(typeof iso === "string" ? new Date(iso) : iso);
/** "3 Dec" for a "2026-12-03" day. */
export const dayLabel = (day: string) => shortDate.format(new Date(`${day}T00:00:00Z`));
/** "3 December 2026, 14:05" in the reader's time zone. */
export const when = (iso: string) => dateTime.format(new Date(iso));
/** "January 2026" for "2026-01". */
export const monthLabel = (month: string) => monthFormat.format(new Date(`${month}-01T00:00:00Z`));
/** "Jan" for "2026-01". */
export const monthAbbr = (month: string) => monthShort.format(new Date(`${month}-01T00:00:00Z`));

/** Seconds from Retry-After in words: "in 45 seconds", "in 7 minutes", "in about 2 hours". */
export function inWords(seconds: number | undefined): string {
  if (!seconds || seconds <= 0) return "in a few minutes";
  if (seconds < 60) return `in ${Math.ceil(seconds)} second${Math.ceil(seconds) === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
  return `in about ${Math.round(minutes / 60)} hours`;
}

/** The api's refusals of a change of the agent, in words a customer can act on. */
export function changeError(e: ApiError, what: "restart" | "change"): string {
  if (e.status === 429) {
    return `You have restarted or changed your agent too often for now. Try again ${inWords(e.retryAfter)}.`;
  }
  if (e.status === 409 && e.code === "box_not_running") {
    return "Your agent is not running (it is paused or being deleted), so it cannot be restarted.";
  }
  if (e.status === 404) return "You have no agent at the moment.";
  if (e.status === 0) return e.message;
  return what === "restart" ? `The restart could not be started: ${e.message}` : `The settings could not be saved: ${e.message}`;
}

/** The api's message as a sentence: "a positive number" → "A positive number." */
export function sentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  const first = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}
