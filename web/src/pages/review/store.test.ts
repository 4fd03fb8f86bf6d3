import { describe, expect, it } from "vitest";

import type { Api, ReviewQueueItem, ReviewStats } from "../../api/client";
import { actionForKey, confusionRows, createReviewStore } from "./store";

describe("review keys", () => {
  it("maps digits and initials to labels and Enter to confirming", () => {
    expect(actionForKey("1")).toBe("negative");
    expect(actionForKey("N")).toBe("negative");
    expect(actionForKey("2")).toBe("neutral");
    expect(actionForKey("u")).toBe("neutral");
    expect(actionForKey("3")).toBe("positive");
    expect(actionForKey("p")).toBe("positive");
    expect(actionForKey("Enter")).toBe("confirm");
    expect(actionForKey("x")).toBeNull();
    expect(actionForKey("4")).toBeNull();
  });
});

describe("confusion rows", () => {
  it("fills in every model and reviewed label with zeros", () => {
    const rows = confusionRows({ negative: { negative: 3, neutral: 1 } });
    expect(rows).toEqual([
      { model: "negative", counts: [3, 1, 0], total: 4 },
      { model: "neutral", counts: [0, 0, 0], total: 0 },
      { model: "positive", counts: [0, 0, 0], total: 0 },
    ]);
  });
});

describe("review store", () => {
  function deferred<T>() {
    let resolve!: (value: T) => void;
    const promise = new Promise<T>((done) => (resolve = done));
    return { promise, resolve };
  }

  function stats(reviewed: number): ReviewStats {
    const agreement = { reviewed, agreed: reviewed, rate: reviewed ? 1 : null, confusion: {} };
    return { overall: agreement, by_category: {}, by_model_version: {}, by_week: {}, alarm: null };
  }

  it("keeps the newest agreement figures when an older answer arrives late", async () => {
    const answers = [deferred<ReviewStats>(), deferred<ReviewStats>()];
    let call = 0;
    const api = { reviewStats: () => answers[call++]!.promise } as unknown as Api;
    const store = createReviewStore(api);
    const first = store.loadStats(); // slow: a cold server
    const second = store.loadStats(); // after a review: quick
    answers[1]!.resolve(stats(3));
    await second;
    answers[0]!.resolve(stats(2));
    await first;
    expect(store.stats.value?.overall.reviewed).toBe(3);
  });
});

describe("filtered review queue", () => {
  it("reads on past filtered pages that hold nothing", async () => {
    const item = { task: { id: "t1" }, margin: 0.1, risk: 1 } as unknown as ReviewQueueItem;
    const pages = [
      { items: [], next_cursor: "c1" },
      { items: [], next_cursor: "c2" },
      { items: [item], next_cursor: "c3" },
    ];
    const queries: unknown[] = [];
    const api = {
      reviewQueue: async (query: unknown) => {
        queries.push(query);
        return pages[queries.length - 1];
      },
    } as unknown as Api;
    const store = createReviewStore(api);
    await store.setFilter("since", "2026-11-26");
    expect(store.items.value.map((entry) => entry.task.id)).toEqual(["t1"]);
    expect(store.nextCursor.value).toBe("c3");
    expect(queries).toHaveLength(3);
    expect(queries[0]).toMatchObject({ limit: 100 });
  });
});
