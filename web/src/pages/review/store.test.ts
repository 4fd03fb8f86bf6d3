import { describe, expect, it } from "vitest";

import { actionForKey, confusionRows } from "./store";

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
