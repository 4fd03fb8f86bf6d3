import { useEffect, useRef } from "preact/hooks";

import type { ModelDetail, ModelStatus } from "../../api/client";
import { ConfusionMatrix, PerClassTable, figure, matrixOf } from "../../components/Figures";
import { ErrorNotice, Loading } from "../../components/Notices";
import { dateTime } from "../../format";
import { GateTable } from "./GateTable";
import type { RegistryStore } from "./registry";

const STATUS_TEXT: Record<ModelStatus, string> = {
  active: "Active",
  candidate: "Candidate",
  rejected: "Rejected",
  retired: "Retired",
};

export function ModelStatusBadge({ status }: { status: ModelStatus }) {
  return <span class={`badge model-${status}`}>{STATUS_TEXT[status]}</span>;
}

/** Every version with its headline figures and lineage, newest first. */
export function Registry({ store }: { store: RegistryStore }) {
  const list = store.list.value;
  const noticeBox = useRef<HTMLParagraphElement>(null);
  // After a move the form is gone: focus goes to what happened instead of to the page.
  useEffect(() => {
    if (store.notice.value) noticeBox.current?.focus();
  }, [store.notice.value]);
  return (
    <section aria-labelledby="registry-heading" class="card" id="registry">
      <div class="section-head">
        <h2 id="registry-heading">Registry</h2>
        <button type="button" onClick={() => void store.load()} disabled={store.loading.value}>
          Refresh registry
        </button>
      </div>
      {store.error.value ? (
        <ErrorNotice error={store.error.value} onRetry={() => void store.load()} />
      ) : null}
      {!list && store.loading.value ? <Loading what="Loading the registry…" /> : null}
      {store.notice.value ? (
        <p class="notice success" role="status" tabIndex={-1} ref={noticeBox}>
          {store.notice.value}
        </p>
      ) : null}
      <ActiveLine store={store} />
      {list && list.items.length === 0 ? (
        <p class="notice empty">No model versions yet. Upload a dataset below to train one.</p>
      ) : null}
      {list && list.items.length > 0 ? (
        <div class="table-wrap" role="region" aria-label="Model versions" tabIndex={0}>
          <table class="queue registry">
            <caption class="visually-hidden">
              Model versions, newest first, with their figures on their own test split
            </caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Registered</th>
                <th scope="col" class="num">
                  Accuracy
                </th>
                <th scope="col" class="num">
                  Macro F1
                </th>
                <th scope="col" class="num">
                  Negative recall
                </th>
                <th scope="col">
                  <span class="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((item) => {
                const open = store.selected.value === item.version;
                return (
                  <tr key={item.version} aria-current={open ? "true" : undefined}>
                    <th scope="row">
                      <span class="mono version">{item.version}</span>
                      <p class="meta">
                        {item.lineage.parent_version ? (
                          <>
                            trained against{" "}
                            <span class="mono version">{item.lineage.parent_version}</span>
                          </>
                        ) : item.lineage.dataset_id ? (
                          "trained with no model active"
                        ) : (
                          "installed with the stack"
                        )}
                      </p>
                    </th>
                    <td>
                      <ModelStatusBadge status={item.status} />
                    </td>
                    <td>{dateTime(item.registered_at)}</td>
                    <td class="num">{figure(item.metrics["accuracy"])}</td>
                    <td class="num">{figure(item.metrics["macro_f1"])}</td>
                    <td class="num">{figure(item.metrics["negative_recall"])}</td>
                    <td>
                      <button
                        type="button"
                        aria-expanded={open}
                        aria-controls="model-detail"
                        onClick={() => void store.select(open ? null : item.version)}
                      >
                        {open ? "Hide" : "Details"}
                        <span class="visually-hidden"> of version {item.version}</span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <div id="model-detail">
        {store.detailError.value ? <ErrorNotice error={store.detailError.value} /> : null}
        {store.selected.value && store.detailLoading.value && !store.detail.value ? (
          <Loading what="Loading the version…" />
        ) : null}
        {store.selected.value && store.detail.value?.version === store.selected.value ? (
          <VersionDetail store={store} detail={store.detail.value} />
        ) : null}
      </div>
    </section>
  );
}

/** Which version serves now, since when, who made it so and why. */
function ActiveLine({ store }: { store: RegistryStore }) {
  const card = store.activeDetail.value;
  const active = store.active.value;
  if (!store.list.value) return null;
  if (!active) return <p class="notice warn">No model is active: requests cannot be scored.</p>;
  const latest = card?.activations
    .filter((entry) => entry.to_version === active)
    .reduce<NonNullable<typeof card>["activations"][number] | null>(
      (last, entry) => (last === null || entry.at > last.at ? entry : last),
      null,
    );
  return (
    <p class="active-line" data-testid="active-model">
      Active model: <strong class="mono version">{active}</strong>
      {latest ? (
        <>
          {" "}
          since {dateTime(latest.at)} ({latest.kind}
          {latest.override ? ", override" : ""} by {latest.by}: “{latest.reason}”)
        </>
      ) : null}
    </p>
  );
}

function VersionDetail({ store, detail }: { store: RegistryStore; detail: ModelDetail }) {
  const metrics = (detail.card as { metrics?: unknown }).metrics ?? null;
  const matrix = matrixOf(metrics);
  const isActive = store.active.value === detail.version;
  const rollbackTo = isActive ? store.rollbackTarget.value : null;
  const { lineage } = detail;
  return (
    <article class="version-detail" aria-labelledby="version-heading">
      <div class="section-head">
        <h3 id="version-heading">
          Version <span class="mono">{detail.version}</span>{" "}
          <ModelStatusBadge status={detail.status} />
        </h3>
        <div class="actions">
          {!isActive ? (
            <button
              type="button"
              class="primary"
              onClick={() => store.startMove({ kind: "promote", version: detail.version })}
            >
              Promote {detail.version}…
            </button>
          ) : null}
          {rollbackTo ? (
            <button
              type="button"
              onClick={() => store.startMove({ kind: "rollback", version: rollbackTo })}
            >
              Roll back to {rollbackTo}…
            </button>
          ) : null}
        </div>
      </div>
      <MoveForm store={store} />
      <div class="detail-grid">
        <div>
          <table class="figures">
            <caption>Figures on its test split</caption>
            <tbody>
              <tr>
                <th scope="row">Accuracy</th>
                <td class="num">{figure(detail.metrics["accuracy"])}</td>
              </tr>
              <tr>
                <th scope="row">Macro F1</th>
                <td class="num">{figure(detail.metrics["macro_f1"])}</td>
              </tr>
              <tr>
                <th scope="row">Negative recall</th>
                <td class="num">{figure(detail.metrics["negative_recall"])}</td>
              </tr>
            </tbody>
          </table>
          <PerClassTable metrics={metrics} caption="By class" />
        </div>
        <div>
          {matrix ? (
            <ConfusionMatrix matrix={matrix} caption="Confusion matrix (test split)" />
          ) : (
            <p class="meta">This version's card has no confusion matrix.</p>
          )}
        </div>
        <div class="span-all">
          <h4>Lineage</h4>
          <dl class="facts wide">
            <dt>Registered</dt>
            <dd>{dateTime(detail.registered_at)}</dd>
            <dt>Dataset</dt>
            <dd class="mono">{lineage.dataset_id ?? "installed with the stack"}</dd>
            {lineage.dataset_sha256 ? (
              <>
                <dt>Data fingerprint</dt>
                <dd class="mono">{lineage.dataset_sha256.slice(0, 16)}…</dd>
              </>
            ) : null}
            <dt>Trained against</dt>
            <dd class="mono">{lineage.parent_version ?? "–"}</dd>
            <dt>Training run</dt>
            <dd class="mono">{lineage.run_id ?? "–"}</dd>
            <dt>Started by</dt>
            <dd>{lineage.started_by ?? "–"}</dd>
          </dl>
        </div>
      </div>
      {detail.gate ? <GateTable gate={detail.gate} /> : null}
      {detail.activations.length > 0 ? (
        <table class="figures">
          <caption>Activations</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Move</th>
              <th scope="col">From → to</th>
              <th scope="col">By</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {detail.activations.map((entry) => (
              <tr key={`${entry.at}-${entry.kind}`}>
                <td>{dateTime(entry.at)}</td>
                <td>
                  {entry.kind}
                  {entry.override ? " (override)" : ""}
                </td>
                <td>
                  <span class="mono version">{entry.from_version ?? "–"}</span> →{" "}
                  <span class="mono version">{entry.to_version}</span>
                </td>
                <td>{entry.by}</td>
                <td>{entry.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </article>
  );
}

/** The written reason a promotion or rollback needs, and its confirmation. */
function MoveForm({ store }: { store: RegistryStore }) {
  const move = store.move.value;
  const reasonBox = useRef<HTMLTextAreaElement>(null);
  // Opening the form puts the person where they write the reason.
  useEffect(() => {
    if (move) reasonBox.current?.focus();
  }, [move]);
  if (!move) return null;
  const promoting = move.kind === "promote";
  const rejected = promoting && store.detail.value?.status === "rejected";
  const title = promoting ? `Promote ${move.version}` : `Roll back to ${move.version}`;
  return (
    <form
      class="move-form"
      aria-label={title}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void store.confirmMove();
      }}
    >
      <h4>{title}</h4>
      <p class="meta">
        {promoting
          ? `It becomes the active model; ${store.active.value ?? "the current one"} stays in the registry for a rollback.`
          : `${move.version} becomes the active model again.`}
        {rejected ? " This version failed the gate: promoting it is recorded as an override." : ""}
      </p>
      <label for="move-reason">Reason (recorded with the change)</label>
      <textarea
        ref={reasonBox}
        id="move-reason"
        rows={2}
        maxLength={500}
        aria-required="true"
        value={store.reason.value}
        onInput={(event) => (store.reason.value = event.currentTarget.value)}
      />
      {store.moveError.value ? <ErrorNotice error={store.moveError.value} /> : null}
      <div class="actions">
        <button type="submit" class="primary" disabled={store.moving.value}>
          {store.moving.value ? "Saving…" : promoting ? "Confirm promotion" : "Confirm rollback"}
        </button>
        <button type="button" onClick={() => store.startMove(null)} disabled={store.moving.value}>
          Cancel
        </button>
      </div>
    </form>
  );
}
