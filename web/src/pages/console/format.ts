/** How the console writes times, numbers and states: UTC to the minute, so admins compare logs. */

export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function day(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 10);
}

const numbers = new Intl.NumberFormat("en-US");

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : numbers.format(n);
}

/** Enum values as words: "past_due" → "past due" (some arrive in capitals, Java enum names). */
export function words(value: string | null | undefined): string {
  return value ? value.toLowerCase().replaceAll("_", " ") : "—";
}

/** A short form of a uuid for tables; the whole id stays in the title and in links. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

const tones: Record<string, "ok" | "warn" | "danger" | ""> = {
  running: "ok",
  active: "ok",
  succeeded: "ok",
  ok: "ok",
  trialing: "ok",
  pending: "warn",
  provisioning: "warn",
  queued: "warn",
  past_due: "warn",
  suspended: "warn",
  destroying: "warn",
  paused: "warn",
  incomplete: "warn",
  superseded: "",
  failed: "danger",
  dead: "danger",
  bot_refused: "danger",
  unpaid: "danger",
  rejected: "danger",
  upstream_error: "danger",
  upstream_timeout: "danger",
};

/** A job that runs is under way, not done: plain (blue) rather than green. */
const jobTones: Record<string, "ok" | "warn" | "danger" | ""> = { ...tones, running: "" };

export function tone(value: string | null | undefined, of: "job" | "other" = "other"): string {
  return (of === "job" ? jobTones : tones)[(value ?? "").toLowerCase()] ?? "";
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}
