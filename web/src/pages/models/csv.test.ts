import { describe, expect, it } from "vitest";

import { guessColumn, headerColumns } from "./csv";

describe("CSV header", () => {
  it("reads quoted names, doubled quotes and a byte-order mark", () => {
    expect(headerColumns('\uFEFFtweet_id,"text, raw","say ""hi""",airline_sentiment\r\n1,a,b,c')).toEqual([
      "tweet_id",
      "text, raw",
      'say "hi"',
      "airline_sentiment",
    ]);
  });

  it("finds no columns in an empty file", () => {
    expect(headerColumns("")).toEqual([]);
  });

  it("guesses the text and label columns from their names", () => {
    const columns = ["tweet_id", "airline_sentiment", "text"];
    expect(guessColumn(columns, "text")).toBe("text");
    expect(guessColumn(columns, "label")).toBe("airline_sentiment");
    expect(guessColumn(["body", "label"], "text")).toBe("body");
  });
});
