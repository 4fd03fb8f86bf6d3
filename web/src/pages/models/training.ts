import { computed, signal } from "@preact/signals";

import { type Api, ApiError, asApiError, type RunStatus, type TrainingRun } from "../../api/client";
import { uploadFile } from "../../api/uploads";
import { guessColumn, readHeader } from "./csv";

export const FINISHED: ReadonlySet<RunStatus> = new Set(["succeeded", "rejected", "failed"]);
const POLL_MS = 1500;
// A dataset's run appears once S3 has told the training function about every file.
const RUN_APPEARS_WITHIN_MS = 5 * 60 * 1000;
// Stop asking after this long without an answer that moved; the person can ask again.
const MAX_FAILED_POLLS = 5;
// The API signs uploads of at most this many bytes per file.
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

export type UploadPhase = "idle" | "declaring" | "uploading" | "waiting" | "watching";

export interface Timers {
  set: (run: () => void, ms: number) => number;
  clear: (id: number) => void;
}

const WINDOW_TIMERS: Timers = {
  set: (run, ms) => window.setTimeout(run, ms),
  clear: (id) => window.clearTimeout(id),
};

/** Uploading a dataset (its files and column mapping) and watching training runs live. */
export function createTrainingStore(api: Api, onFinished: () => void, timers = WINDOW_TIMERS) {
  // The upload form.
  const name = signal("");
  const trainFile = signal<File | null>(null);
  const testFile = signal<File | null>(null);
  const columns = signal<string[]>([]);
  const testColumns = signal<string[] | null>(null);
  const textColumn = signal("text");
  const labelColumn = signal("label");
  const phase = signal<UploadPhase>("idle");
  const uploadError = signal<ApiError | null>(null);
  const datasetId = signal<string | null>(null);
  // Changes when the form is cleared, so the file inputs (which hold their own files) clear.
  const formKey = signal(0);

  // Runs.
  const runs = signal<TrainingRun[]>([]);
  const runsLoaded = signal(false);
  const runsError = signal<ApiError | null>(null);
  const watched = signal<TrainingRun | null>(null);
  const watchError = signal<ApiError | null>(null);

  const busy = computed(() => phase.value !== "idle" && phase.value !== "watching");
  /** Why the test file cannot go with the train file's mapping, if it cannot. */
  const mappingProblem = computed(() => {
    const test = testColumns.value;
    if (!test) return null;
    const missing = [textColumn.value, labelColumn.value].filter((name) => !test.includes(name));
    return missing.length
      ? `The test file has no column ${missing.map((name) => `"${name}"`).join(" or ")}.`
      : null;
  });

  let timer: number | null = null;
  let failedPolls = 0;
  let sawRunning = false; // the watched run was seen unfinished: its end is news
  let disposed = false;

  function stopPolling(): void {
    if (timer !== null) timers.clear(timer);
    timer = null;
  }

  function schedule(step: () => Promise<void>): void {
    stopPolling();
    if (!disposed) timer = timers.set(() => void step(), POLL_MS);
  }

  async function loadRuns(): Promise<void> {
    try {
      const page = await api.listTrainingRuns(10);
      runs.value = page.items;
      runsError.value = null;
    } catch (failure) {
      runsError.value = asApiError(failure);
    } finally {
      runsLoaded.value = true;
    }
  }

  async function chooseTrain(file: File | null): Promise<void> {
    trainFile.value = file;
    uploadError.value = null;
    columns.value = [];
    if (!file) return;
    if (!name.value.trim()) name.value = file.name.replace(/\.csv$/i, "");
    const found = await readHeader(file);
    if (trainFile.value !== file) return; // another file was chosen meanwhile
    columns.value = found;
    if (found.length === 0) {
      uploadError.value = new ApiError("invalid", `${file.name} has no header line to map.`);
      return;
    }
    textColumn.value = guessColumn(found, "text");
    labelColumn.value = guessColumn(found, "label");
  }

  async function chooseTest(file: File | null): Promise<void> {
    testFile.value = file;
    testColumns.value = file ? await readHeader(file) : null;
  }

  function problemBeforeUpload(): string | null {
    if (!trainFile.value) return "Choose the train CSV file.";
    if (!name.value.trim()) return "Name the dataset.";
    if (columns.value.length === 0) return "The train file has no header line to map.";
    if (textColumn.value === labelColumn.value) return "The text and label columns must differ.";
    if (trainFile.value.size === 0) return "The train file is empty.";
    if (testFile.value?.size === 0) return "The test file is empty.";
    for (const file of [trainFile.value, testFile.value]) {
      if (file && file.size > MAX_FILE_BYTES) return `${file.name} is larger than 50 MiB.`;
    }
    return mappingProblem.value;
  }

  /** Declares the dataset, uploads its files, then watches the run that training starts. */
  async function upload(): Promise<boolean> {
    const problem = problemBeforeUpload();
    const train = trainFile.value;
    if (problem || !train || busy.value) {
      if (problem) uploadError.value = new ApiError("invalid", problem);
      return false;
    }
    const test = testFile.value;
    const files = { train, ...(test ? { test } : {}) };
    uploadError.value = null;
    phase.value = "declaring";
    try {
      const created = await api.createDataset({
        name: name.value.trim(),
        text_column: textColumn.value,
        label_column: labelColumn.value,
        files: Object.entries(files).map(([role, file]) => ({
          role: role as "train" | "test",
          filename: file.name,
          size_bytes: file.size,
        })),
      });
      datasetId.value = created.dataset_id;
      phase.value = "uploading";
      for (const target of created.uploads) {
        const file = files[target.role];
        if (file) await uploadFile(target, file);
      }
      phase.value = "waiting";
      failedPolls = 0;
      void waitForRun(created.dataset_id, Date.now());
      return true;
    } catch (failure) {
      uploadError.value = asApiError(failure);
      phase.value = "idle";
      return false;
    }
  }

  async function waitForRun(id: string, since: number): Promise<void> {
    if (disposed || datasetId.value !== id) return;
    try {
      const dataset = await api.getDataset(id);
      failedPolls = 0;
      const run = dataset.runs[0];
      if (run) {
        resetForm();
        // Started by this upload: its end is news even if it ends before the first look.
        await watch(run.run_id, true);
        return;
      }
      if (dataset.status === "expired" || Date.now() - since > RUN_APPEARS_WITHIN_MS) {
        uploadError.value = new ApiError(
          "failed",
          `No training run started for this dataset (${dataset.status_detail}). Upload it again.`,
        );
        phase.value = "idle";
        return;
      }
    } catch (failure) {
      failedPolls += 1;
      if (failedPolls >= MAX_FAILED_POLLS) {
        uploadError.value = asApiError(failure);
        phase.value = "idle";
        return;
      }
    }
    schedule(() => waitForRun(id, since));
  }

  function resetForm(): void {
    name.value = "";
    trainFile.value = null;
    testFile.value = null;
    columns.value = [];
    testColumns.value = null;
    datasetId.value = null;
    formKey.value += 1;
    phase.value = "watching";
  }

  /** Follows run `runId` until it finishes: status, stage and progress, then its reports.
   * `started` says the run was just started here, so its end is reported even if it has
   * ended by the first look. */
  async function watch(runId: string, started = false): Promise<void> {
    stopPolling();
    failedPolls = 0;
    sawRunning = started;
    watchError.value = null;
    if (watched.value?.run_id !== runId) watched.value = null;
    if (!runs.value.some((run) => run.run_id === runId)) void loadRuns();
    await poll(runId);
  }

  async function poll(runId: string): Promise<void> {
    if (disposed) return;
    try {
      const run = await api.getTrainingRun(runId);
      if (watched.value && watched.value.run_id !== runId) return; // another run is watched
      watched.value = run;
      watchError.value = null;
      failedPolls = 0;
      if (FINISHED.has(run.status)) {
        if (sawRunning) {
          await loadRuns();
          onFinished();
        }
        return;
      }
      sawRunning = true;
    } catch (failure) {
      failedPolls += 1;
      if (failedPolls >= MAX_FAILED_POLLS) {
        watchError.value = asApiError(failure);
        return;
      }
    }
    schedule(() => poll(runId));
  }

  function dispose(): void {
    disposed = true;
    stopPolling();
  }

  return {
    name,
    trainFile,
    testFile,
    columns,
    testColumns,
    textColumn,
    labelColumn,
    phase,
    busy,
    mappingProblem,
    uploadError,
    datasetId,
    formKey,
    runs,
    runsLoaded,
    runsError,
    watched,
    watchError,
    loadRuns,
    chooseTrain,
    chooseTest,
    upload,
    watch,
    dispose,
  };
}

export type TrainingStore = ReturnType<typeof createTrainingStore>;
