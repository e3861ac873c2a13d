/** Numbers and durations as a person says them ("5 million", "2 minutes"), for the public pages. */

const SCALES: [number, string][] = [
  [1e12, "trillion"],
  [1e9, "billion"],
  [1e6, "million"],
];

/** 5000000 → "5 million", 1500000 → "1.5 million", 250000 → "250,000". */
export function countInWords(n: number): string {
  for (const [size, word] of SCALES) {
    if (Math.abs(n) >= size) {
      const scaled = Math.round((n / size) * 100) / 100;
      return `${scaled.toLocaleString("en")} ${word}`;
    }
  }
  return Math.round(n).toLocaleString("en");
}

/** "5 million tokens a month". */
export function tokensAMonth(n: number): string {
  return `${countInWords(n)} ${n === 1 ? "token" : "tokens"} a month`;
}

/** "10 requests a second". */
export function requestsASecond(n: number): string {
  return `${n.toLocaleString("en")} ${n === 1 ? "request" : "requests"} a second`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** A wait in seconds, rounded up to what a person would say: "45 seconds", "2 minutes", "1 hour". */
export function durationInWords(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return plural(s, "second");
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return plural(minutes, "minute");
  const hours = Math.ceil(minutes / 60);
  if (hours < 48) return plural(hours, "hour");
  return plural(Math.ceil(hours / 24), "day");
}

/** "a", "a and b", "a, b and c". */
export function listInWords(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
