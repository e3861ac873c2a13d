import { chartData, type Bar, type ChartData } from "./StackedBarChart";
import { dayLabel, longDate, monthAbbr, monthLabel } from "./format";
import { colorOf } from "./palette";
import type { Usage, UsageHistory } from "./types";

const DAY_MS = 86_400_000;
const MAX_DAYS = 800;
/** The series for days an older api answered without a split by model. */
export const UNSPLIT = "all models";

/** Every model the page shows, busiest of this period first, then the history's: one colour each. */
export function modelsOf(usage: Usage | undefined, history: UsageHistory | undefined): string[] {
  const seen = new Set<string>();
  for (const m of [...(usage?.byModel ?? [])].sort((a, b) => b.tokens - a.tokens)) seen.add(m.model);
  for (const m of history?.models ?? []) seen.add(m);
  for (const d of usage?.daily ?? []) for (const m of Object.keys(d.byModel ?? {})) seen.add(m);
  return [...seen];
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/**
 * This period by day, stacked by model: one bar per day from the period's first day to its last
 * (days after today pending), in one pass over the daily series.
 */
export function periodChart(usage: Usage, models: string[], now: number): ChartData {
  const daily = usage.daily ?? [];
  const unsplit = daily.some((d) => !d.byModel && d.tokens > 0);
  // An older answer without byModel: a single model takes the day's tokens, else "all models".
  const single = usage.byModel?.length === 1 ? usage.byModel[0].model : null;
  const series = unsplit && !single ? [...models, UNSPLIT] : models;
  const index = new Map(series.map((m, i) => [m, i]));
  const byDay = new Map(daily.map((d) => [d.day, d]));

  let first = usage.period ? dayMs(utcDay(Date.parse(usage.period.start))) : Infinity;
  let last = usage.period ? dayMs(utcDay(Date.parse(usage.period.end) - 1)) : -Infinity;
  for (const d of daily) {
    const t = dayMs(d.day);
    if (t < first) first = t;
    if (t > last) last = t;
  }
  if (!Number.isFinite(first) || !Number.isFinite(last)) return chartData([], series, series.map((_, i) => colorOf(i)));
  if ((last - first) / DAY_MS >= MAX_DAYS) first = last - (MAX_DAYS - 1) * DAY_MS;
  const today = utcDay(now);

  const bars: Bar[] = [];
  for (let t = first; t <= last; t += DAY_MS) {
    const day = utcDay(t);
    const values = new Array<number>(series.length).fill(0);
    const d = byDay.get(day);
    let total = 0;
    if (d?.byModel) {
      for (const [model, tokens] of Object.entries(d.byModel)) {
        const i = index.get(model);
        if (i !== undefined && tokens > 0) {
          values[i] += tokens;
          total += tokens;
        }
      }
    } else if (d && d.tokens > 0) {
      values[index.get(single ?? UNSPLIT)!] += d.tokens;
      total = d.tokens;
    }
    bars.push({ key: day, label: longDate(day), short: dayLabel(day), values, total, pending: day > today });
  }
  return chartData(bars, series, series.map((_, i) => colorOf(i)));
}

/** The last months, stacked by model (the api sends every month of the range, oldest first). */
export function historyChart(history: UsageHistory, models: string[]): ChartData {
  const index = new Map(models.map((m, i) => [m, i]));
  const bars: Bar[] = history.months.map((month) => {
    const values = new Array<number>(models.length).fill(0);
    let total = 0;
    for (const [model, tokens] of Object.entries(month.byModel ?? {})) {
      const i = index.get(model);
      if (i !== undefined && tokens > 0) {
        values[i] += tokens;
        total += tokens;
      }
    }
    return { key: month.month, label: monthLabel(month.month), short: monthAbbr(month.month), values, total };
  });
  return chartData(bars, models, models.map((_, i) => colorOf(i)));
}

export interface Projection {
  /** Tokens at the end of the period at the pace so far. */
  tokens: number;
  /** The period's end (the reset), in words. */
  by: string;
  over: boolean;
}

/** Linear from the days elapsed: used / elapsed × the period's length; none once it has ended. */
export function project(usage: Usage, now: number): Projection | null {
  if (!usage.period || usage.used <= 0) return null;
  const start = Date.parse(usage.period.start);
  const end = Date.parse(usage.period.end);
  if (!(end > start) || now >= end) return null;
  // At least a day elapsed: a projection from the first hours would say little.
  const elapsed = Math.min(end - start, Math.max(now - start, DAY_MS));
  const tokens = Math.round((usage.used * (end - start)) / elapsed);
  return { tokens, by: longDate(usage.period.end), over: usage.allowance > 0 && tokens > usage.allowance };
}
