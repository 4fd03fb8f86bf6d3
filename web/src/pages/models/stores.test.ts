import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError, type Api, type ModelDetail, type ModelList } from "../../api/client";
import { createRegistryStore } from "./registry";
import { createThresholdsStore, periodOf, thresholdProblem } from "./thresholds";
import { createTrainingStore, type Timers } from "./training";

function model(version: string, status: ModelList["items"][number]["status"], parent: string | null) {
  return {
    version,
    status,
    registered_at: "2026-11-26T08:00:00Z",
    metrics: { accuracy: 0.9, macro_f1: 0.8, negative_recall: 0.9 },
    lineage: {
      dataset_id: parent ? "d1" : null,
      dataset_sha256: null,
      parent_version: parent,
      run_id: null,
      started_by: null,
    },
  };
}

const LIST: ModelList = {
  active_version: "new",
  items: [model("new", "active", "old"), model("old", "retired", null)],
};

function detail(version: string): ModelDetail {
  return {
    ...model(version, version === "new" ? "active" : "retired", null),
    card: {},
    gate: null,
    activations: [
      {
        kind: "gate",
        from_version: "old",
        to_version: "new",
        by: "system",
        at: "2026-11-26T08:00:00Z",
        reason: "passed",
        override: false,
      },
    ],
  } as ModelDetail;
}

describe("registry store", () => {
  it("preselects the newest version against the one it was trained against", async () => {
    const api = { listModels: async () => LIST, getModel: async (v: string) => detail(v) };
    const store = createRegistryStore(api as unknown as Api);
    await store.load();
    expect(store.compareA.value).toBe("old");
    expect(store.compareB.value).toBe("new");
    expect(store.rollbackTarget.value).toBe("old");
  });

  it("asks for a reason before moving the active model", async () => {
    const rollBackModel = vi.fn();
    const api = { listModels: async () => LIST, getModel: async (v: string) => detail(v), rollBackModel };
    const store = createRegistryStore(api as unknown as Api);
    await store.load();
    store.startMove({ kind: "rollback", version: "old" });
    store.reason.value = " ";
    expect(await store.confirmMove()).toBe(false);
    expect(store.moveError.value?.message).toMatch(/Write why/);
    expect(rollBackModel).not.toHaveBeenCalled();
  });

  it("reloads the registry when another supervisor moved the active model first", async () => {
    const listModels = vi.fn(async () => LIST);
    const api = {
      listModels,
      getModel: async (v: string) => detail(v),
      rollBackModel: async () => {
        throw new ApiError("conflict", "changed", 409, "active_model_changed");
      },
    };
    const store = createRegistryStore(api as unknown as Api);
    await store.load();
    store.startMove({ kind: "rollback", version: "old" });
    store.reason.value = "bad answers since noon";
    expect(await store.confirmMove()).toBe(false);
    expect(store.moveError.value?.message).toMatch(/Another supervisor changed the active model/);
    expect(listModels).toHaveBeenCalledTimes(2);
  });
});

describe("thresholds", () => {
  it("refuses a priority threshold above the escalate one, and numbers outside 0..1", () => {
    expect(thresholdProblem("0.5", "0.6")).toMatch(/must not be above/);
    expect(thresholdProblem("1.5", "0.6")).toMatch(/from 0 to 1/);
    expect(thresholdProblem("0.8", "0.5")).toBeNull();
  });

  it("covers whole days of the period", () => {
    const period = periodOf("2026-11-01", "2026-11-02");
    expect(Date.parse(period.created_to) - Date.parse(period.created_from)).toBe(
      2 * 24 * 3600 * 1000 - 1,
    );
  });

  it("shows the thresholds in force after a 412 and keeps the proposal", async () => {
    const levels = (version: number, escalate: number) => ({
      version,
      escalate_negative_min: escalate,
      priority_negative_min: 0.55,
      updated_at: "2026-11-26T08:00:00Z",
      updated_by: "someone",
      reason: "r",
    });
    let version = 1;
    const api = {
      getSupportLevels: async () => levels(version, version === 1 ? 0.85 : 0.9),
      putSupportLevels: async () => {
        throw new ApiError("conflict", "changed", 412, null);
      },
    };
    const store = createThresholdsStore(api as unknown as Api);
    await store.load();
    version = 2; // another supervisor saves meanwhile
    store.edit("escalate", "0.7");
    store.reason.value = "escalate sooner";
    expect(await store.save()).toBe(false);
    expect(store.saveError.value?.message).toMatch(/changed the thresholds meanwhile/);
    expect(store.current.value?.version).toBe(2);
    expect(store.escalate.value).toBe("0.7");
  });
});

describe("training store", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("declares the dataset, uploads each file, then follows the run to its end", async () => {
    const pending: (() => void)[] = [];
    const timers: Timers = { set: (run) => pending.push(run), clear: () => {} };
    const sent: string[] = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      sent.push(`${url} ${(init.body as FormData).get("key")}`);
      return new Response(null, { status: 204 });
    });
    const statuses = ["training", "succeeded"] as const;
    let polls = 0;
    let datasetReads = 0;
    const api = {
      listTrainingRuns: async () => ({ items: [] }),
      createDataset: vi.fn(async () => ({
        dataset_id: "d1",
        uploads: [
          { role: "train", key: "datasets/d1/train.csv", url: "http://s3/b", fields: { key: "datasets/d1/train.csv" } },
        ],
      })),
      getDataset: async () => ({ status: "complete", runs: datasetReads++ ? [{ run_id: "r1" }] : [] }),
      getTrainingRun: async () => ({ run_id: "r1", status: statuses[Math.min(polls++, 1)], stages: [] }),
    };
    const finished = vi.fn();
    const store = createTrainingStore(api as unknown as Api, finished, timers);
    await store.chooseTrain(new File(["id,message,sentiment\n1,hi,positive\n"], "mine.csv"));
    expect(store.textColumn.value).toBe("message");
    expect(store.labelColumn.value).toBe("sentiment");
    expect(store.name.value).toBe("mine");
    expect(await store.upload()).toBe(true);
    expect(api.createDataset).toHaveBeenCalledWith(
      expect.objectContaining({ name: "mine", text_column: "message", label_column: "sentiment" }),
    );
    expect(sent).toEqual(["http://s3/b datasets/d1/train.csv"]);
    // The run appears on the second look at the dataset, then runs, then succeeds.
    for (let step = 0; step < 5 && pending.length; step += 1) {
      pending.shift()!();
      await new Promise((done) => setTimeout(done, 0));
    }
    expect(store.watched.value?.status).toBe("succeeded");
    expect(finished).toHaveBeenCalledTimes(1);
    expect(store.phase.value).toBe("watching");
  });
});
