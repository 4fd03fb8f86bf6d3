import type { RankedEntry, Ranking, TrendSummary } from "../../api/trends";
import { categoryLabel } from "../../catalog";
import { interval, signed } from "./period";

function RankTable({
  caption,
  entries,
  name,
}: {
  caption: string;
  entries: RankedEntry[];
  name: (value: string) => string;
}) {
  if (entries.length === 0) return null;
  return (
    <table class="figures ranking">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col" class="num">
            Net score
          </th>
          <th scope="col" class="num">
            95% interval
          </th>
          <th scope="col" class="num">
            Requests
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.name}>
            <th scope="row">{name(entry.name)}</th>
            <td class="num">{signed(entry.net)}</td>
            <td class="num">{interval(entry.net_low, entry.net_high)}</td>
            <td class="num">{entry.total}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RankPair({
  title,
  ranking,
  name,
}: {
  title: string;
  ranking: Ranking;
  name: (value: string) => string;
}) {
  return (
    <div class="rank-pair">
      <RankTable caption={`Best ${title}`} entries={ranking.best} name={name} />
      <RankTable caption={`Worst ${title}`} entries={ranking.worst} name={name} />
    </div>
  );
}

/** The period's best and worst categories and products, ranked by their interval so a
 * handful of requests cannot outrank thousands. */
export function RankingPanel({ summary }: { summary: TrendSummary }) {
  const none = summary.categories.best.length === 0 && summary.products.best.length === 0;
  return (
    <section class="card ranking-panel" aria-labelledby="ranking-title">
      <h2 id="ranking-title">Best and worst</h2>
      {none ? (
        <p class="meta">Nothing to rank: no requests in this period.</p>
      ) : (
        <>
          <p class="meta">
            Best by the interval's lower bound, worst by its upper bound: a few requests cannot
            outrank many.
          </p>
          <RankPair title="categories" ranking={summary.categories} name={categoryLabel} />
          <RankPair title="products" ranking={summary.products} name={(value) => value} />
        </>
      )}
    </section>
  );
}
