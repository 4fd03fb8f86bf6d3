import type { Granularity, PeriodTrend } from "../../api/trends";
import { interval, periodName, signed } from "./period";

interface TrendTableProps {
  category: string;
  periods: readonly PeriodTrend[];
  granularity: Granularity;
}

/** The chart's figures, period by period: counts by label, net score, interval, change. */
export function TrendTable({ category, periods, granularity }: TrendTableProps) {
  return (
    <table class="figures trend-table">
      <caption>
        {category}: net score per {granularity}
      </caption>
      <thead>
        <tr>
          <th scope="col">{granularity === "week" ? "Week" : "Day"}</th>
          <th scope="col" class="num">
            Requests
          </th>
          <th scope="col" class="num">
            Negative
          </th>
          <th scope="col" class="num">
            Neutral
          </th>
          <th scope="col" class="num">
            Positive
          </th>
          <th scope="col" class="num">
            Net score
          </th>
          <th scope="col" class="num">
            95% interval
          </th>
          <th scope="col" class="num">
            Change
          </th>
        </tr>
      </thead>
      <tbody>
        {periods.map((period) => (
          <tr key={period.period_start}>
            <th scope="row">{periodName(period.period_start, granularity)}</th>
            <td class="num">{period.total}</td>
            <td class="num">{period.negative}</td>
            <td class="num">{period.neutral}</td>
            <td class="num">{period.positive}</td>
            <td class="num">{signed(period.net)}</td>
            <td class="num">
              {period.total > 0 ? interval(period.net_low, period.net_high) : "–"}
            </td>
            <td class="num">{signed(period.change)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
