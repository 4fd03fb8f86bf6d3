import { describe, expect, it } from "vitest";

import type { Api } from "../../api/client";
import type { CategoryTrends, PeriodTrend } from "../../api/trends";
import { busiestCategory, createTrendsStore, NEXT_FOLLOW_UP_STATES } from "./store";
import { chartData } from "./series";

function period(start: string, total: number, net: number | null): PeriodTrend {
  return {
    period_start: start,
    negative: 0,
    neutral: 0,
    positive: 0,
    total,
    net,
    net_low: -0.9,
    net_high: 0.9,
    change: null,
  };
}

const TRENDS: CategoryTrends = {
  granularity: "week",
  product: null,
  prior: { negative: 0.6, neutral: 0.25, positive: 0.15 },
  categories: [
    {
      category: "Lost Luggage",
      periods: [period("2015-02-16", 3, -1), period("2015-02-23", 2, -1)],
    },
    {
      category: "Late Flight",
      periods: [period("2015-02-16", 40, -0.5), period("2015-02-23", 0, null)],
    },
  ],
};

describe("busiestCategory", () => {
  it("opens the chart on the category with the most requests in the range", () => {
    expect(busiestCategory(TRENDS)).toBe("Late Flight");
  });

  it("has none to open on without categories", () => {
    expect(busiestCategory({ ...TRENDS, categories: [] })).toBeNull();
  });
});

describe("chartData", () => {
  it("draws no interval for a period without requests (it would only repeat the prior)", () => {
    const [x, low, high, net] = chartData(TRENDS.categories[1]!.periods);
    expect(x).toEqual([Date.UTC(2015, 1, 16) / 1000, Date.UTC(2015, 1, 23) / 1000]);
    expect(low).toEqual([-0.9, null]);
    expect(high).toEqual([0.9, null]);
    expect(net).toEqual([-0.5, null]);
  });
});

describe("follow-up states", () => {
  it("move on only: a resolved follow-up has nowhere to go", () => {
    expect(NEXT_FOLLOW_UP_STATES.open).toEqual(["contacted", "resolved"]);
    expect(NEXT_FOLLOW_UP_STATES.resolved).toEqual([]);
  });
});

describe("trends store", () => {
  function deferred<T>() {
    let resolve!: (value: T) => void;
    const promise = new Promise<T>((done) => (resolve = done));
    return { promise, resolve };
  }

  const summaryOf = (name: string) =>
    ({ categories: { best: [{ name }], worst: [] }, products: { best: [], worst: [] } }) as never;

  it("ranks the period shown even when the view changes before its ranking arrives", async () => {
    const rankings: ReturnType<typeof deferred<never>>[] = [];
    const api = {
      listTasks: async () => ({ items: [], next_cursor: null }),
      categoryTrends: async () => TRENDS,
      trendSummary: () => {
        rankings.push(deferred<never>());
        return rankings.at(-1)!.promise;
      },
    } as unknown as Api;
    const store = createTrendsStore(api, () => new Date("2026-11-26T12:00:00Z"));
    const range = { from: "2015-02-16", to: "2015-02-24" };
    const byWeek = store.setPeriod({ ...range, granularity: "week" });
    const byDay = store.setPeriod({ ...range, granularity: "day" }); // before the first answer
    for (const ranking of rankings) ranking.resolve(summaryOf("Late Flight"));
    await Promise.all([byWeek, byDay]);
    expect(store.summary.value?.categories.best[0]?.name).toBe("Late Flight");
  });
});
