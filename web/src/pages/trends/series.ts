import type { AlignedData } from "uplot";

import type { PeriodTrend } from "../../api/trends";
import { epochSeconds } from "./period";

/** The chart's columns: x, the interval's bounds (none for a period without requests, whose
 * interval would only repeat the prior) and the net score. */
export function chartData(periods: readonly PeriodTrend[]): AlignedData {
  const empty = (period: PeriodTrend) => period.total === 0;
  return [
    periods.map((period) => epochSeconds(period.period_start)),
    periods.map((period) => (empty(period) ? null : period.net_low)),
    periods.map((period) => (empty(period) ? null : period.net_high)),
    periods.map((period) => period.net ?? null),
  ];
}
