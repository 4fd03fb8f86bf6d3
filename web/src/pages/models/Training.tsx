import type { RunStatus, StageName, TrainingRun } from "../../api/client";
import { ErrorNotice, Loading } from "../../components/Notices";
import { dateTime, percent } from "../../format";
import { GateTable } from "./GateTable";
import { FINISHED, type TrainingStore } from "./training";

export const RUN_STATUS_TEXT: Record<RunStatus, string> = {
  queued: "Queued",
  validating: "Validating",
  training: "Training",
  evaluating: "Evaluating",
  succeeded: "Succeeded",
  rejected: "Rejected by the gate",
  failed: "Failed",
};

const STAGES: readonly StageName[] = [
  "validate",
  "train",
  "export",
  "parity",
  "evaluate",
  "gate",
  "register",
];

const PHASE_TEXT = {
  declaring: "Declaring the dataset…",
  uploading: "Uploading the files…",
  waiting: "Files uploaded. Waiting for training to start…",
} as const;

interface ColumnSelectProps {
  id: string;
  label: string;
  store: TrainingStore;
  value: string;
  onChange: (name: string) => void;
}

/** One of the train file's columns, chosen from its header. */
function ColumnSelect({ id, label, store, value, onChange }: ColumnSelectProps) {
  const columns = store.columns.value;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select
        id={id}
        value={value}
        disabled={columns.length === 0 || store.busy.value}
        aria-describedby="mapping-hint"
        onChange={(event) => onChange(event.currentTarget.value)}
      >
        {columns.length === 0 ? <option value="">Choose a train file first</option> : null}
        {columns.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Upload a train (and optional test) CSV with the column mapping; training starts by itself. */
export function UploadForm({ store }: { store: TrainingStore }) {
  const phase = store.phase.value;
  return (
    <form
      key={store.formKey.value}
      class="upload-form"
      aria-labelledby="upload-heading"
      onSubmit={(event) => {
        event.preventDefault();
        void store.upload();
      }}
    >
      <h3 id="upload-heading">Upload a dataset</h3>
      <p class="meta">
        CSV files with a header line, one request per row, labels negative, neutral or positive.
        Without a test file, training holds out a fifth of the train file.
      </p>
      <div class="row">
        <div class="field">
          <label for="train-file">Train file (CSV)</label>
          <input
            id="train-file"
            type="file"
            accept=".csv,text/csv"
            disabled={store.busy.value}
            onChange={(event) => void store.chooseTrain(event.currentTarget.files?.[0] ?? null)}
          />
        </div>
        <div class="field">
          <label for="test-file">Test file (CSV, optional)</label>
          <input
            id="test-file"
            type="file"
            accept=".csv,text/csv"
            disabled={store.busy.value}
            onChange={(event) => void store.chooseTest(event.currentTarget.files?.[0] ?? null)}
          />
        </div>
      </div>
      <div class="row">
        <ColumnSelect
          id="text-column"
          label="Text column"
          store={store}
          value={store.textColumn.value}
          onChange={(name) => (store.textColumn.value = name)}
        />
        <ColumnSelect
          id="label-column"
          label="Label column"
          store={store}
          value={store.labelColumn.value}
          onChange={(name) => (store.labelColumn.value = name)}
        />
      </div>
      <p class="hint" id="mapping-hint">
        The columns come from the train file's header; a test file must have the same two.
      </p>
      <div class="field">
        <label for="dataset-name">Dataset name</label>
        <input
          id="dataset-name"
          type="text"
          maxLength={100}
          value={store.name.value}
          disabled={store.busy.value}
          onInput={(event) => (store.name.value = event.currentTarget.value)}
        />
      </div>
      {store.mappingProblem.value ? (
        <p class="notice warn" role="alert">
          {store.mappingProblem.value}
        </p>
      ) : null}
      {store.uploadError.value ? <ErrorNotice error={store.uploadError.value} /> : null}
      <div class="actions">
        <button type="submit" class="primary" disabled={store.busy.value}>
          Upload and train
        </button>
        {phase in PHASE_TEXT ? (
          <span class="meta" role="status">
            {PHASE_TEXT[phase as keyof typeof PHASE_TEXT]}
          </span>
        ) : null}
      </div>
    </form>
  );
}

/** The run being watched: status, stage and progress while it runs; its reports after. */
export function RunView({ store }: { store: TrainingStore }) {
  const run = store.watched.value;
  if (store.watchError.value) return <ErrorNotice error={store.watchError.value} />;
  if (!run) return null;
  const finished = FINISHED.has(run.status);
  const stageIndex = run.stage ? STAGES.indexOf(run.stage) : -1;
  const overall = finished
    ? 1
    : Math.max(0, (stageIndex + (run.progress ?? 0)) / STAGES.length);
  return (
    <article class="run-view" aria-labelledby="run-heading">
      <h3 id="run-heading">
        Training run <span class="mono">{run.run_id}</span>
      </h3>
      {/* Announced when the status or stage changes, not at every step of progress. */}
      <p class={`run-status run-${run.status}`} role="status">
        <strong>{RUN_STATUS_TEXT[run.status]}</strong>
        {!finished && run.stage ? ` · stage ${run.stage}` : ""}
        {run.status === "succeeded" && run.model_version
          ? ` · version ${run.model_version} passed the gate`
          : ""}
        {run.status === "rejected" && run.model_version
          ? ` · version ${run.model_version} is kept as rejected`
          : ""}
      </p>
      <label for="run-progress" class="progress-label">
        Training progress{finished ? "" : `: ${percent(overall)} of the run`}
        {!finished && run.stage ? `, ${percent(run.progress)} of stage ${run.stage}` : ""}
      </label>
      <progress id="run-progress" max={1} value={overall}>
        {percent(overall)}
      </progress>
      <table class="figures stages">
        <caption>Stages</caption>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">State</th>
            <th scope="col" class="num">
              Seconds
            </th>
          </tr>
        </thead>
        <tbody>
          {STAGES.map((name) => {
            const timing = run.stages.find((stage) => stage.name === name);
            const state = !timing
              ? "not started"
              : timing.finished_at
                ? "done"
                : run.status === "failed"
                  ? "stopped"
                  : `running, ${percent(run.progress)}`;
            const seconds =
              timing?.finished_at !== undefined && timing.finished_at !== null
                ? (Date.parse(timing.finished_at) - Date.parse(timing.started_at)) / 1000
                : null;
            return (
              <tr key={name} class={timing && !timing.finished_at ? "current" : undefined}>
                <th scope="row">{name}</th>
                <td>{state}</td>
                <td class="num">{seconds === null ? "–" : seconds.toFixed(1)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {run.error ? (
        <p class="notice error" role="alert">
          {run.error}
        </p>
      ) : null}
      {run.validation_report ? <ValidationReport report={run.validation_report} /> : null}
      {run.gate ? <GateTable gate={run.gate} /> : null}
    </article>
  );
}

interface FileFacts {
  path?: string;
  rows_read?: number;
  dropped?: Record<string, number>;
}

interface Report {
  ok?: boolean;
  errors?: string[];
  columns?: Record<string, string>;
  files?: FileFacts[];
  split?: string;
  leakage_removed_from_train?: number;
  train_class_counts?: Record<string, number>;
  test_class_counts?: Record<string, number>;
  min_rows_per_class?: number;
}

/** What validation found in the files: problems, rows read and dropped, class counts. */
function ValidationReport({ report: raw }: { report: Record<string, unknown> }) {
  const report = raw as Report;
  const train = report.train_class_counts ?? {};
  const test = report.test_class_counts ?? {};
  const labels = [...new Set([...Object.keys(train), ...Object.keys(test)])];
  return (
    <section class="validation" aria-labelledby="validation-heading">
      <h4 id="validation-heading">
        Validation report: {report.ok ? "the files are usable" : "the files were refused"}
      </h4>
      {report.errors && report.errors.length > 0 ? (
        <ul class="problems">
          {report.errors.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : null}
      <dl class="facts">
        {report.columns ? (
          <>
            <dt>Columns</dt>
            <dd>
              text “{report.columns["text"]}”, label “{report.columns["label"]}”
            </dd>
          </>
        ) : null}
        {report.split ? (
          <>
            <dt>Test split</dt>
            <dd>{report.split}</dd>
          </>
        ) : null}
        {report.leakage_removed_from_train !== undefined ? (
          <>
            <dt>Train rows also in test (removed)</dt>
            <dd>{report.leakage_removed_from_train}</dd>
          </>
        ) : null}
      </dl>
      {report.files && report.files.length > 0 ? (
        <table class="figures">
          <caption>Files read</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col" class="num">
                Rows read
              </th>
              <th scope="col">Dropped</th>
            </tr>
          </thead>
          <tbody>
            {report.files.map((file, index) => (
              <tr key={index}>
                <th scope="row" class="mono">
                  {(file.path ?? "").split("/").pop()}
                </th>
                <td class="num">{file.rows_read ?? "–"}</td>
                <td>
                  {Object.entries(file.dropped ?? {})
                    .map(([why, count]) => `${count} ${why}`)
                    .join("; ") || "none"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {labels.length > 0 ? (
        <table class="figures">
          <caption>
            Rows per class
            {report.min_rows_per_class ? ` (at least ${report.min_rows_per_class} to train)` : ""}
          </caption>
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col" class="num">
                Train
              </th>
              <th scope="col" class="num">
                Test
              </th>
            </tr>
          </thead>
          <tbody>
            {labels.map((label) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td class="num">{train[label] ?? 0}</td>
                <td class="num">{test[label] ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

/** Recent runs, newest first; any can be opened to read its reports. */
export function RunList({ store }: { store: TrainingStore }) {
  const runs = store.runs.value;
  if (store.runsError.value) {
    return <ErrorNotice error={store.runsError.value} onRetry={() => void store.loadRuns()} />;
  }
  if (!store.runsLoaded.value) return <Loading what="Loading training runs…" />;
  if (runs.length === 0) {
    return <p class="notice empty">No training runs yet.</p>;
  }
  return (
    <div class="table-wrap" role="region" aria-label="Recent training runs" tabIndex={0}>
      <table class="queue">
        <caption class="visually-hidden">Recent training runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Status</th>
            <th scope="col">Dataset</th>
            <th scope="col">Model version</th>
            <th scope="col">
              <span class="visually-hidden">Open</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run: TrainingRun) => {
            const open = store.watched.value?.run_id === run.run_id;
            return (
              <tr key={run.run_id} aria-current={open ? "true" : undefined}>
                <td>{dateTime(run.created_at)}</td>
                <td>{RUN_STATUS_TEXT[run.status]}</td>
                <td class="mono">{run.dataset_id}</td>
                <td class="mono version">{run.model_version ?? "–"}</td>
                <td>
                  {open ? (
                    <span class="meta">Shown above</span>
                  ) : (
                    <button type="button" onClick={() => void store.watch(run.run_id)}>
                      Open<span class="visually-hidden"> run {run.run_id}</span>
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
