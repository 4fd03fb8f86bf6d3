import { useEffect, useMemo, useState } from "preact/hooks";

import { categoryLabel } from "../../catalog";
import { Empty, ErrorNotice, Loading } from "../../components/Notices";
import { useServices } from "../../context";
import { AccountDialog } from "./AccountDialog";
import { AtRiskList } from "./AtRiskList";
import { PeriodForm } from "./PeriodForm";
import { periodName } from "./period";
import { RankingPanel } from "./Ranking";
import { createAtRiskStore, createTrendsStore, type TrendsStore } from "./store";
import { TrendChart } from "./TrendChart";
import { TrendTable } from "./TrendTable";
import "./trends.css";

function Reputation({ store }: { store: TrendsStore }) {
  const [showTable, setShowTable] = useState(false);
  const trends = store.trends.value;
  const series = store.series.value;
  const period = store.period.value;
  const granularity = trends?.granularity ?? "week";

  return (
    <section
      class="card reputation"
      aria-labelledby="reputation-title"
      aria-busy={store.loading.value}
    >
      <div class="section-head">
        <h2 id="reputation-title">Category reputation</h2>
        {trends && trends.categories.length > 0 ? (
          <div class="field inline-field">
            <label for="trend-category">Category</label>
            <select
              id="trend-category"
              value={store.category.value ?? ""}
              onChange={(event) => store.chooseCategory(event.currentTarget.value)}
            >
              {trends.categories.map((item) => (
                <option key={item.category} value={item.category}>
                  {categoryLabel(item.category)}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      {store.error.value ? (
        <ErrorNotice error={store.error.value} onRetry={() => void store.reload()} />
      ) : null}
      {store.loading.value && !trends ? <Loading what="Loading trends…" /> : null}
      {trends && !series && !store.error.value ? (
        <Empty>
          No requests {trends.product ? `about ${trends.product} ` : ""}between{" "}
          {period
            ? `${periodName(period.from, "day")} and ${periodName(period.to, "day")}`
            : "these days"}
          . Choose another period or product.
        </Empty>
      ) : null}
      {series ? (
        <>
          <p class="meta">
            {categoryLabel(series.category)}
            {trends?.product ? `, ${trends.product} only` : ", all products"}: net score per{" "}
            {granularity} with its 95% interval.
          </p>
          <TrendChart
            category={categoryLabel(series.category)}
            periods={series.periods}
            granularity={granularity}
          />
          <button
            type="button"
            aria-expanded={showTable}
            aria-controls="trend-figures"
            onClick={() => setShowTable(!showTable)}
          >
            {showTable ? "Hide the table" : "Show the table"}
          </button>
          <div
            id="trend-figures"
            class="table-wrap figures-wrap"
            hidden={!showTable}
            role="region"
            aria-label="Figures of the chart"
            tabIndex={showTable ? 0 : -1}
          >
            <TrendTable
              category={categoryLabel(series.category)}
              periods={series.periods}
              granularity={granularity}
            />
          </div>
        </>
      ) : null}
    </section>
  );
}

/** Supervisors: how each category is regarded over time, the period's best and worst, and
 * the accounts that keep coming back unhappy, with their timelines and follow-ups. */
export function TrendsPage() {
  const { api, session } = useServices();
  const trends = useMemo(() => createTrendsStore(api), [api]);
  const atRisk = useMemo(() => createAtRiskStore(api), [api]);
  const [account, setAccount] = useState<string | null>(null);
  useEffect(() => {
    void trends.start();
    void atRisk.reload();
  }, [trends, atRisk]);

  const period = trends.period.value;
  const summary = trends.summary.value;
  return (
    <div class="trends-page">
      <h1>Trends</h1>
      {period ? (
        <PeriodForm
          period={period}
          product={trends.product.value}
          busy={trends.loading.value}
          onPeriod={(next) => void trends.setPeriod(next)}
          onProduct={(next) => void trends.setProduct(next)}
        />
      ) : null}
      <p class="visually-hidden" role="status">
        {trends.loading.value ? "Loading trends…" : ""}
      </p>
      <div class="trends-columns">
        <Reputation store={trends} />
        {summary ? <RankingPanel summary={summary} /> : null}
      </div>
      <AtRiskList store={atRisk} onOpen={setAccount} />
      {account ? (
        <AccountDialog
          accountId={account}
          owner={session.user.value?.username ?? ""}
          rule={atRisk.rule.value}
          onClose={() => {
            setAccount(null);
            void atRisk.reload();
          }}
        />
      ) : null}
    </div>
  );
}
