import { describe, expect, it } from "vitest";

import { addDays, interval, openingPeriod, periodName, signed, weeksEndingOn } from "./period";

describe("openingPeriod", () => {
  const now = new Date("2026-11-26T08:00:00Z");

  it("ends on the latest request's day, twelve weeks long, by week", () => {
    expect(openingPeriod("2015-02-24T11:35:52Z", now)).toEqual({
      from: "2014-12-03",
      to: "2015-02-24",
      granularity: "week",
    });
  });

  it("ends today without any request", () => {
    expect(openingPeriod(null, now).to).toBe("2026-11-26");
  });

  it("ends today when the latest request claims a time in the future", () => {
    expect(openingPeriod("2030-01-01T00:00:00Z", now).to).toBe("2026-11-26");
  });
});

describe("days", () => {
  it("moves across month and year ends in UTC", () => {
    expect(addDays("2015-02-28", 1)).toBe("2015-03-01");
    expect(addDays("2015-01-01", -1)).toBe("2014-12-31");
  });

  it("covers whole weeks, both ends included", () => {
    const period = weeksEndingOn("2015-02-28", 4);
    expect(period.from).toBe("2015-02-01");
  });

  it("names a week by its Monday", () => {
    expect(periodName("2015-02-16", "week")).toBe("Week of 16 Feb 2015");
    expect(periodName("2015-02-16", "day")).toBe("16 Feb 2015");
  });
});

describe("signed", () => {
  it("gives every non-zero score its sign, with a true minus", () => {
    expect(signed(0.254)).toBe("+0.25");
    expect(signed(-0.4)).toBe("−0.40");
    expect(signed(-0.001)).toBe("0.00");
    expect(signed(null)).toBe("–");
  });

  it("writes an interval low to high", () => {
    expect(interval(-0.55, -0.31)).toBe("−0.55 to −0.31");
  });
});
