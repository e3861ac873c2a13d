import { memo, useCallback, useEffect, useMemo, useRef } from "react";
import { ApiError } from "../../lib/api";
import type { Resource } from "../../lib/useResource";
import { Empty, ErrorState, Loading } from "../../ui/States";
import { compact, full, longDate } from "./format";
import { StackedBarChart, type ChartData } from "./StackedBarChart";
import type { Usage, UsageHistory } from "./types";
import { historyChart, modelsOf, periodChart, project } from "./usageData";

let marked = false;

/** performance.mark("dashboard-rendered"), once per page load: the browser test reads it. */
function markRendered() {
  if (marked) return;
  marked = true;
  performance.mark("dashboard-rendered");
}

function notYet(error: ApiError, what: string): ApiError {
  return error.status === 404 ? new ApiError(404, error.code, `${what} is not available yet.`) : error;
}

function Meter({ usage }: { usage: Usage }) {
  const percent = usage.allowance > 0 ? usage.percent : usage.used > 0 ? 100 : 0;
  const shown = Math.min(100, Math.max(0, percent));
  const tone = percent >= 100 ? "danger" : percent >= 80 ? "warn" : "ok";
  const words = `${compact(usage.used)} of ${compact(usage.allowance)} tokens (${percent}%)`;
  return (
    <div className="meter-block">
      <p className="meter-figures">
        <strong>{compact(usage.used)}</strong> of {compact(usage.allowance)} tokens used{" "}
        <span className="meter-percent" data-testid="usage-percent">
          {percent}%
        </span>
      </p>
      <div
        role="meter"
        aria-label="Tokens used this period"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={shown}
        aria-valuetext={words}
        className="meter"
      >
        <div className={`meter-fill ${tone}`} style={{ width: `${shown}%` }} />
      </div>
    </div>
  );
}

function Facts({ usage, now }: { usage: Usage; now: number }) {
  const left = usage.allowance - usage.used;
  const ended = usage.period && Date.parse(usage.period.end) <= now;
  const projection = useMemo(() => project(usage, now), [usage, now]);
  const spent = usage.allowance > 0 && usage.used >= usage.allowance;
  return (
    <>
      <dl className="facts">
        <div>
          <dt>Tokens left</dt>
          <dd data-testid="usage-left">{left >= 0 ? compact(left) : `None: ${compact(-left)} over`}</dd>
        </div>
        {usage.period && (
          <div>
            <dt>{ended ? "Period ended" : "Resets on"}</dt>
            <dd data-testid="usage-reset">{longDate(usage.period.end)}</dd>
          </div>
        )}
      </dl>
      {spent && usage.period && !ended ? (
        <p className="projection spent" data-testid="usage-projection">
          This period's allowance is used up: your agent cannot answer until it renews on {longDate(usage.period.end)}.
        </p>
      ) : (
        projection && (
          <p className={projection.over ? "projection over" : "projection"} data-testid="usage-projection">
            At this pace you will use about {compact(projection.tokens)} by {projection.by}
            {projection.over
              ? `: more than your allowance of ${compact(usage.allowance)}. Once it is used up, your agent cannot answer until it renews on ${projection.by}.`
              : "."}
          </p>
        )
      )}
    </>
  );
}

function summaryOf(data: ChartData, what: string, from: string, to: string): string {
  const counted = data.bars.filter((b) => !b.pending);
  let busiest = counted[0];
  for (const b of counted) if (b.total > busiest.total) busiest = b;
  const models = data.series.filter((_, i) => data.seriesTotals[i] > 0);
  return (
    `Tokens used each ${what} from ${from} to ${to}, stacked by model (${models.join(", ") || "none"}). ` +
    `${full(data.total)} tokens in all` +
    (busiest && busiest.total > 0 ? `; the most, ${full(busiest.total)}, on ${busiest.label}.` : ".")
  );
}

interface Props {
  usage: Resource<Usage>;
  history: Resource<UsageHistory>;
}

/** Used of allowance, what is left, the reset, a projection, and two charts by model. */
export const UsageCard = memo(function UsageCard({ usage, history }: Props) {
  // The clock for the projection and which days are still to come: read once per answer.
  const now = useMemo(() => Date.now(), [usage.data]);
  const models = useMemo(() => modelsOf(usage.data, history.data), [usage.data, history.data]);
  const period = useMemo(() => (usage.data ? periodChart(usage.data, models, now) : null), [usage.data, models, now]);
  const months = useMemo(() => (history.data ? historyChart(history.data, models) : null), [history.data, models]);

  const periodHasData = !!period && period.total > 0;
  const historyHasData = !!months && months.total > 0;

  // Marked once both charts are settled and at least one has drawn data.
  const settled = useRef({ period: false, history: false, data: false });
  const check = useCallback(() => {
    const s = settled.current;
    if (s.period && s.history && s.data) markRendered();
  }, []);
  const periodDrawn = useCallback(() => {
    Object.assign(settled.current, { period: true, data: true });
    check();
  }, [check]);
  const historyDrawn = useCallback(() => {
    Object.assign(settled.current, { history: true, data: true });
    check();
  }, [check]);
  useEffect(() => {
    if (usage.error || (usage.data && !periodHasData)) settled.current.period = true;
    if (history.error || (history.data && !historyHasData)) settled.current.history = true;
    check();
  }, [usage.data, usage.error, history.data, history.error, periodHasData, historyHasData, check]);

  let body;
  if (usage.data && period) {
    const u = usage.data;
    const shown = period.bars.filter((b) => !b.pending);
    body = (
      <>
        <Meter usage={u} />
        <Facts usage={u} now={now} />
        <h3>This period by day</h3>
        {periodHasData ? (
          <StackedBarChart
            data={period}
            title="Tokens per day this period, by model"
            summary={summaryOf(period, "day", period.bars[0].label, shown[shown.length - 1]?.label ?? period.bars[0].label)}
            unit="Day"
            tableName="tokens per day"
            minSlot={period.bars.length > 62 ? 4 : 8}
            onDrawn={periodDrawn}
            latest={shown.length - 1}
          />
        ) : (
          <Empty>
            <p>No usage yet this period. Your plan includes {compact(u.allowance)} tokens a month; they show here once your agent has answered someone.</p>
          </Empty>
        )}
      </>
    );
  } else if (usage.error) {
    body = <ErrorState error={notYet(usage.error, "Your usage")} retry={usage.error.status === 404 ? undefined : usage.reload} />;
  } else {
    body = <Loading what="your usage" />;
  }

  let past;
  if (months && history.data) {
    const m = history.data.months;
    past = historyHasData ? (
      <StackedBarChart
        data={months}
        title={`Tokens per month, last ${m.length} months, by model`}
        summary={summaryOf(months, "month", months.bars[0].label, months.bars[months.bars.length - 1].label)}
        unit="Month"
        tableName="tokens per month"
        minSlot={22}
        onDrawn={historyDrawn}
      />
    ) : (
      <Empty>
        <p>No usage in the last {m.length} months yet.</p>
      </Empty>
    );
  } else if (history.error) {
    past = <ErrorState error={notYet(history.error, "The monthly history")} retry={history.error.status === 404 ? undefined : history.reload} />;
  } else {
    past = <Loading what="the monthly history" />;
  }

  return (
    <section className="card usage-card" aria-labelledby="usage-heading">
      <h2 id="usage-heading">Usage</h2>
      {body}
      <h3>Last 12 months</h3>
      {past}
    </section>
  );
});
