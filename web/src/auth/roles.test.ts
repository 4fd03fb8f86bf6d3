import { describe, expect, it } from "vitest";

import { homeOf, pageFromHash, pagesFor } from "../router";
import { roleFromGroups } from "./roles";

describe("roleFromGroups", () => {
  it("takes the highest role a person's groups give", () => {
    expect(roleFromGroups(["agent", "supervisor"])).toBe("supervisor");
  });

  it("knows no role without a carescore group", () => {
    expect(roleFromGroups(["admins"])).toBeNull();
    expect(roleFromGroups(undefined)).toBeNull();
  });
});

describe("pages by role", () => {
  it("shows customers only their requests", () => {
    expect(pagesFor("customer")).toEqual(["requests"]);
    expect(homeOf("customer")).toBe("requests");
  });

  it("shows staff the queue and not the customer page", () => {
    expect(pagesFor("agent")).toEqual(["queue"]);
    expect(pagesFor("agent")).not.toContain("models");
    expect(pagesFor("agent")).not.toContain("trends");
    expect(homeOf("agent")).toBe("queue");
  });

  it("lands supervisors on Review with Models, Trends and the queue reachable", () => {
    expect(pagesFor("supervisor")).toEqual(["review", "models", "trends", "queue"]);
    expect(homeOf("supervisor")).toBe("review");
  });

  it("reads the page from the hash and ignores unknown ones", () => {
    expect(pageFromHash("#/queue")).toBe("queue");
    expect(pageFromHash("#/nowhere")).toBeNull();
    expect(pageFromHash("")).toBeNull();
  });
});
