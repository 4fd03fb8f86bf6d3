import { describe, expect, it } from "vitest";

import type { Task } from "../../api/client";
import { DEFAULT_FILTERS, changesFrom, queryFor } from "./store";

const TASK = {
  id: "a".repeat(32),
  text: "My bag is lost",
  account_id: "acct",
  category: "Lost Luggage",
  channel: "web",
  status: "open",
  assignee: null,
  reply_note: null,
} as unknown as Task;

describe("queryFor", () => {
  it("asks for the most urgent open requests by default", () => {
    expect(queryFor(DEFAULT_FILTERS, null)).toEqual({
      order: "support_level",
      limit: 25,
      status: "open",
    });
  });

  it("passes every filter chosen and the cursor", () => {
    const query = queryFor(
      { status: "", supportLevel: "escalate", label: "negative", category: "Late Flight" },
      "next",
    );
    expect(query).toEqual({
      order: "support_level",
      limit: 25,
      support_level: "escalate",
      label: "negative",
      category: "Late Flight",
      cursor: "next",
    });
  });
});

describe("changesFrom", () => {
  it("sends only what changed", () => {
    expect(changesFrom(TASK, { status: "resolved", assignee: "", reply: "Found it" })).toEqual({
      status: "resolved",
      reply_note: "Found it",
    });
  });

  it("unassigns with null when the assignee is cleared", () => {
    const assigned = { ...TASK, assignee: "sam" } as Task;
    expect(changesFrom(assigned, { status: "open", assignee: " ", reply: "" })).toEqual({
      assignee: null,
    });
  });

  it("has nothing to send when nothing changed", () => {
    expect(changesFrom(TASK, { status: "open", assignee: "", reply: "" })).toBeNull();
  });
});
