import { memo, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import { compact, full } from "./format";

/** One bar: its label (table, tooltip), a short axis label, and the value of each series. */
export interface Bar {
  key: string;
  label: string;
  short: string;
  values: number[];
  total: number;
  /** Still to come (a day of the period after today): drawn as an empty slot, left out of the table. */
  pending?: boolean;
}

export interface ChartData {
  bars: Bar[];
  /** The series (models), in the order of Bar.values. */
  series: string[];
  /** Each series' colour, in the same order. */
  colors: string[];
  /** Each series' sum over the bars. */
  seriesTotals: number[];
  max: number;
  total: number;
}

/** Builds ChartData in one pass over the bars (O(bars × series)). */
export function chartData(bars: Bar[], series: string[], colors: string[]): ChartData {
  const seriesTotals = new Array<number>(series.length).fill(0);
  let max = 0;
  let total = 0;
  for (const bar of bars) {
    for (let i = 0; i < series.length; i++) seriesTotals[i] += bar.values[i];
    if (bar.total > max) max = bar.total;
    total += bar.total;
  }
  return { bars, series, colors, seriesTotals, max, total };
}

const HEIGHT = 220;
const TOP = 10;
const BOTTOM = 26;
/** The y axis' labels: a column of their own that stays put while the bars scroll. */
const AXIS = 44;
const LEFT = 4;
const RIGHT = 8;
const PLOT = HEIGHT - TOP - BOTTOM;
const CHAR_PX = 6.6;

/** A round axis maximum above max with a step of 1, 2, 2.5 or 5 × 10^n, in about four steps. */
function axis(max: number): number[] {
  if (max <= 0) return [0, 1];
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(t);
  return ticks;
}

interface Geometry {
  slot: number;
  svgWidth: number;
  ticks: number[];
  /** One path per series: every bar's segment of that series (a few elements, however many bars). */
  paths: string[];
  labelEvery: number;
}

/** Where everything goes, in one pass over the bars. */
function layout(data: ChartData, width: number, minSlot: number): Geometry {
  const n = data.bars.length;
  const slot = Math.max(minSlot, (width - AXIS - LEFT - RIGHT) / Math.max(n, 1));
  const svgWidth = Math.ceil(LEFT + RIGHT + slot * n);
  const ticks = axis(data.max);
  const scale = PLOT / ticks[ticks.length - 1];
  const barWidth = Math.max(1, slot * (n > 40 ? 0.8 : 0.66));
  const paths = data.series.map(() => "");
  let longest = 0;
  for (let i = 0; i < n; i++) {
    const bar = data.bars[i];
    if (bar.short.length > longest) longest = bar.short.length;
    const x = (LEFT + i * slot + (slot - barWidth) / 2).toFixed(1);
    let base = TOP + PLOT;
    for (let s = 0; s < data.series.length; s++) {
      const v = bar.values[s];
      if (v <= 0) continue;
      const h = Math.max(v * scale, 0.5);
      base -= h;
      paths[s] += `M${x} ${base.toFixed(1)}h${barWidth.toFixed(1)}v${h.toFixed(1)}h-${barWidth.toFixed(1)}z`;
    }
  }
  return { slot, svgWidth, ticks, paths, labelEvery: Math.max(1, Math.ceil((longest * CHAR_PX + 8) / slot)) };
}

interface Props {
  data: ChartData;
  /** The chart's accessible name (the SVG's <title>). */
  title: string;
  /** One or two sentences with the gist (the SVG's <desc>). */
  summary: string;
  /** The table's first column: "Day", "Month". */
  unit: string;
  /** Added to "Show as table" for a name unique on the page: "tokens per day". */
  tableName: string;
  /** The narrowest a bar's slot gets before the chart scrolls sideways inside its box. */
  minSlot: number;
  /** Called once after the first paint with bars. */
  onDrawn?: () => void;
  /** The bar to bring into view when the chart scrolls (the latest day): shown at the right. */
  latest?: number;
}

/**
 * A stacked bar chart drawn as SVG (no chart library: the site's strict CSP and its size budget):
 * one path per series, so a year of days is a handful of elements. role=img with <title>/<desc>, a
 * legend, the bar under the pointer read out, and the same numbers as a table on "Show as table";
 * a chart wider than its box scrolls inside it.
 */
export function StackedBarChart({ data, title, summary, unit, tableName, minSlot, onDrawn, latest }: Props) {
  const id = useId();
  const frame = useRef<HTMLDivElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [asTable, setAsTable] = useState(false);
  const [hover, setHover] = useState<number | null>(null);

  useLayoutEffect(() => {
    const el = frame.current;
    if (!el) return;
    setWidth(Math.floor(el.clientWidth));
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(([entry]) => {
      const w = Math.floor(entry.contentRect.width);
      setWidth((old) => (old === w ? old : w));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const geometry = useMemo(() => (width > 0 ? layout(data, width, minSlot) : null), [data, width, minSlot]);
  // The box the bars scroll in: the chart's width less the y axis.
  const inner = Math.max(0, width - AXIS);
  const drawn = geometry !== null && data.bars.length > 0;

  const drawnRef = useRef(false);
  useEffect(() => {
    if (drawn && !drawnRef.current) {
      drawnRef.current = true;
      onDrawn?.();
    }
  }, [drawn, onDrawn]);

  // A chart wider than its box opens on its latest bars, as a person reading usage wants.
  const scrolledRef = useRef(false);
  useLayoutEffect(() => {
    const el = box.current;
    if (!geometry || !el || scrolledRef.current || geometry.svgWidth <= inner) return;
    scrolledRef.current = true;
    // Room after the latest bar for its axis label.
    const right = LEFT + ((latest ?? data.bars.length - 1) + 1) * geometry.slot + 24;
    el.scrollLeft = Math.max(0, right - inner);
  }, [geometry, inner, latest, data.bars.length]);

  const onMove = (event: MouseEvent<SVGSVGElement>) => {
    if (!geometry) return;
    const x = event.clientX - event.currentTarget.getBoundingClientRect().left;
    const i = Math.floor((x - LEFT) / geometry.slot);
    const next = i >= 0 && i < data.bars.length && !data.bars[i].pending ? i : null;
    if (next !== hover) setHover(next);
  };

  const scrolls = geometry !== null && geometry.svgWidth > inner;
  const tableId = `${id}-table`;
  const hovered = hover === null ? null : data.bars[hover];

  return (
    <div className="chart-block">
      <div className="chart-frame" ref={frame}>
        {geometry && <YAxis ticks={geometry.ticks} />}
        <div
          ref={box}
          className="chart-scroll"
          tabIndex={scrolls ? 0 : undefined}
          role={scrolls ? "group" : undefined}
          aria-label={scrolls ? `${title} (scrolls sideways)` : undefined}
        >
          {geometry && (
            <Svg id={id} data={data} geometry={geometry} title={title} summary={summary} hover={hover} onMove={onMove} onLeave={() => setHover(null)} />
          )}
        </div>
      </div>
      <p className="chart-readout" aria-hidden="true">
        {hovered
          ? `${hovered.label}: ${compact(hovered.total)}` +
            data.series
              .map((model, s) => (hovered.values[s] > 0 ? ` · ${model} ${compact(hovered.values[s])}` : ""))
              .join("")
          : " "}
      </p>
      <ul className="legend" aria-label={`Models in: ${title}`}>
        {data.series.map((model, s) =>
          data.seriesTotals[s] > 0 ? (
            <li key={model}>
              <span className="swatch" style={{ background: data.colors[s] }} aria-hidden="true" />
              {model} <span className="muted">{compact(data.seriesTotals[s])}</span>
            </li>
          ) : null,
        )}
      </ul>
      <button
        type="button"
        className="link-button table-toggle"
        aria-expanded={asTable}
        aria-controls={tableId}
        aria-label={`${asTable ? "Hide table" : "Show as table"}: ${tableName}`}
        onClick={() => setAsTable((v) => !v)}
      >
        {asTable ? "Hide table" : "Show as table"}
      </button>
      <div id={tableId} className="table-wrap chart-table" tabIndex={asTable ? 0 : undefined} role={asTable ? "group" : undefined} aria-label={asTable ? `${title}, as a table` : undefined} hidden={!asTable}>
        {asTable && <Table data={data} title={title} unit={unit} />}
      </div>
    </div>
  );
}

interface SvgProps {
  id: string;
  data: ChartData;
  geometry: Geometry;
  title: string;
  summary: string;
  hover: number | null;
  onMove: (event: MouseEvent<SVGSVGElement>) => void;
  onLeave: () => void;
}

function Svg({ id, data, geometry: g, title, summary, hover, onMove, onLeave }: SvgProps) {
  const base = TOP + PLOT;
  const scale = PLOT / g.ticks[g.ticks.length - 1];
  return (
    <svg
      width={g.svgWidth}
      height={HEIGHT}
      viewBox={`0 0 ${g.svgWidth} ${HEIGHT}`}
      role="img"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-desc`}
      className="chart"
      onMouseMove={onMove}
      onMouseLeave={onLeave}
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{summary}</desc>
      {hover !== null && <rect x={LEFT + hover * g.slot} y={TOP} width={g.slot} height={PLOT} className="chart-hover" />}
      <Static data={data} geometry={g} base={base} scale={scale} />
    </svg>
  );
}

/** The axes, labels and bars: unchanged while the pointer moves. */
const Static = memo(function Static({ data, geometry: g, base, scale }: { data: ChartData; geometry: Geometry; base: number; scale: number }) {
  return (
    <>
      {g.ticks.map((t) => (
        <line key={t} x1={0} x2={g.svgWidth - RIGHT} y1={base - t * scale} y2={base - t * scale} className={t === 0 ? "chart-base" : "chart-grid"} />
      ))}
      {g.paths.map((d, s) => (d ? <path key={data.series[s]} d={d} fill={data.colors[s]} /> : null))}
      {data.bars.map((bar, i) => {
        if (i % g.labelEvery !== 0) return null;
        // Kept inside the chart: the first label may start at its bar, the last end at the edge.
        const x = LEFT + i * g.slot + g.slot / 2;
        const half = (bar.short.length * CHAR_PX) / 2;
        const anchor = x - half < 0 ? "start" : x + half > g.svgWidth ? "end" : "middle";
        return (
          <text key={bar.key} x={anchor === "start" ? 0 : anchor === "end" ? g.svgWidth : x} y={HEIGHT - 8} textAnchor={anchor} className="chart-axis">
            {bar.short}
          </text>
        );
      })}
    </>
  );
});

/** The y axis' labels, outside the scrolling box so that they stay in view. */
const YAxis = memo(function YAxis({ ticks }: { ticks: number[] }) {
  const scale = PLOT / ticks[ticks.length - 1];
  return (
    <svg width={AXIS} height={HEIGHT} className="chart-yaxis" aria-hidden="true" focusable="false">
      {ticks.map((t) => (
        <text key={t} x={AXIS - 6} y={TOP + PLOT - t * scale + 4} textAnchor="end" className="chart-axis">
          {compact(t)}
        </text>
      ))}
    </svg>
  );
});

/** The chart's numbers, exactly: rendered only when asked for (a year of days is a big table). */
const Table = memo(function Table({ data, title, unit }: { data: ChartData; title: string; unit: string }) {
  return (
    <table>
      <caption className="sr-only">{title}</caption>
      <thead>
        <tr>
          <th scope="col">{unit}</th>
          {data.series.map((model) => (
            <th scope="col" key={model}>
              {model}
            </th>
          ))}
          <th scope="col">Total</th>
        </tr>
      </thead>
      <tbody>
        {data.bars.map((bar) =>
          bar.pending ? null : (
            <tr key={bar.key}>
              <th scope="row">{bar.label}</th>
              {bar.values.map((v, s) => (
                <td key={s} className="num">
                  {full(v)}
                </td>
              ))}
              <td className="num">{full(bar.total)}</td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
});
