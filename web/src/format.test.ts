import { describe, expect, it } from "vitest";

import { percent, snippet } from "./format";

describe("snippet", () => {
  it("keeps short texts whole, with whitespace flattened", () => {
    expect(snippet("late\n\nagain", 20)).toBe("late again");
  });

  it("cuts long texts at a word and marks the cut", () => {
    expect(snippet("the flight was late and the bag was lost", 20)).toBe("the flight was late…");
  });
});

describe("percent", () => {
  it("rounds to whole percent", () => {
    expect(percent(0.826)).toBe("83%");
  });
});
