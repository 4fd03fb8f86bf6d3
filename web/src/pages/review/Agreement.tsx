import type { Agreement as AgreementFigures } from "../../api/client";
import { categoryLabel } from "../../catalog";
import { ErrorNotice, Loading } from "../../components/Notices";
import { LABEL_TEXT, percent } from "../../format";
import { LABELS, confusionRows, type ReviewStore } from "./store";

/** Agreement between the model and supervisors, and whether retraining is suggested. */
export function Agreement({ store }: { store: ReviewStore }) {
  const stats = store.stats.value;
  const overall = stats?.overall;
  const alarm = stats?.alarm ?? null;
  return (
    <section aria-labelledby="agreement-heading" class="card agreement">
      <h2 id="agreement-heading">Agreement</h2>
      {store.statsError.value ? (
        <ErrorNotice error={store.statsError.value} onRetry={() => void store.loadStats()} />
      ) : null}
      {!stats && !store.statsError.value ? <Loading what="Loading agreement…" /> : null}
      {alarm?.retraining_suggested ? (
        <div class="notice warn banner" role="status">
          <strong>Retraining suggested.</strong> Supervisors corrected {alarm.corrections} of the
          last {alarm.reviews} reviews of model {alarm.model_version}
          {alarm.correction_rate !== null ? ` (${percent(alarm.correction_rate)})` : ""}, above
          the {percent(alarm.threshold)} threshold. <a href="#/models">Train a new version</a>{" "}
          on the Models page.
        </div>
      ) : alarm ? (
        <p class="meta">
          No retraining suggested: {alarm.corrections} corrections in the last {alarm.reviews}{" "}
          reviews of model {alarm.model_version} (alarm above {percent(alarm.threshold)} over{" "}
          {alarm.window}).
        </p>
      ) : null}
      {overall ? (
        <>
          <p class="agreement-rate" data-testid="agreement-rate">
            {overall.rate === null ? (
              "No reviews yet."
            ) : (
              <>
                <strong>{percent(overall.rate)}</strong> agreement: {overall.agreed} of{" "}
                {overall.reviewed} reviewed decisions kept the model's label
              </>
            )}
          </p>
          <table class="confusion">
            <caption>Reviewed tasks by model label (rows) and reviewed label (columns)</caption>
            <thead>
              <tr>
                <th scope="col">Model \ Reviewed</th>
                {LABELS.map((label) => (
                  <th scope="col" key={label}>
                    {LABEL_TEXT[label]}
                  </th>
                ))}
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {confusionRows(overall.confusion).map((row) => (
                <tr key={row.model}>
                  <th scope="row">{LABEL_TEXT[row.model]}</th>
                  {row.counts.map((count, index) => (
                    <td
                      key={LABELS[index]}
                      class={LABELS[index] === row.model ? "num agreed" : "num"}
                    >
                      {count}
                    </td>
                  ))}
                  <td class="num">{row.total}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="meta">The diagonal (in bold) is where supervisors kept the model's label.</p>
          <BreakdownTable
            caption="By model version"
            heading="Version"
            rows={stats?.by_model_version ?? {}}
          />
          <BreakdownTable caption="By category" heading="Category" rows={stats?.by_category ?? {}} />
        </>
      ) : null}
    </section>
  );
}

/** Agreement split one way (by model version, by category), largest first. */
function BreakdownTable({
  caption,
  heading,
  rows,
}: {
  caption: string;
  heading: string;
  rows: Record<string, AgreementFigures>;
}) {
  const entries = Object.entries(rows)
    .filter(([, figures]) => figures.reviewed > 0)
    .sort(([, a], [, b]) => b.reviewed - a.reviewed);
  if (entries.length === 0) return null;
  return (
    <table class="figures breakdown">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{heading}</th>
          <th scope="col" class="num">
            Reviewed
          </th>
          <th scope="col" class="num">
            Agreed
          </th>
          <th scope="col" class="num">
            Rate
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([key, figures]) => (
          <tr key={key}>
            <th scope="row" class={heading === "Version" ? "mono version" : undefined}>
              {heading === "Category" ? categoryLabel(key) : key}
            </th>
            <td class="num">{figures.reviewed}</td>
            <td class="num">{figures.agreed}</td>
            <td class="num">{figures.rate === null ? "–" : percent(figures.rate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
