import { describe, expect, it } from "vitest";

import { errorFor, problemOf } from "./client";

describe("errorFor", () => {
  it("sends a refused token back to sign-in", () => {
    expect(problemOf(401)).toBe("unauthenticated");
  });

  it("says a 503 is the service being unavailable", () => {
    expect(errorFor(503, { error: { code: "model_unavailable", message: "no model" } }).problem).toBe(
      "unavailable",
    );
  });

  it("keeps the API's own message for a conflict", () => {
    const error = errorFor(409, { error: { code: "invalid_transition", message: "cannot move" } });
    expect(error.problem).toBe("conflict");
    expect(error.message).toContain("cannot move");
  });

  it("does not show server messages for a 500", () => {
    const error = errorFor(500, { error: { code: "internal_error", message: "trace" } });
    expect(error.message).not.toContain("trace");
  });
});
