import { categoryLabel } from "../../catalog";
import { LevelBadge } from "../../components/Badges";
import { ErrorNotice, Loading } from "../../components/Notices";
import { dateTime, percent } from "../../format";
import type { ThresholdsStore } from "./thresholds";

/** The thresholds in force, a proposal with the preview of what it would change, and saving. */
interface ThresholdInputProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
}

/** A negative-probability threshold, from 0 to 1. */
function ThresholdInput({ id, label, value, onInput }: ThresholdInputProps) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={0}
        max={1}
        step={0.01}
        required
        aria-describedby="thresholds-hint"
        value={value}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
    </div>
  );
}

export function Thresholds({ store }: { store: ThresholdsStore }) {
  const current = store.current.value;
  return (
    <section aria-labelledby="thresholds-heading" class="card" id="thresholds">
      <h2 id="thresholds-heading">Support-level thresholds</h2>
      {store.loadError.value ? (
        <ErrorNotice error={store.loadError.value} onRetry={() => void store.load()} />
      ) : null}
      {!current && !store.loadError.value ? <Loading what="Loading the thresholds…" /> : null}
      {current ? (
        <>
          <p class="meta" data-testid="thresholds-in-force">
            In force: version {current.version}, escalate from{" "}
            {percent(current.escalate_negative_min)} negative, priority from{" "}
            {percent(current.priority_negative_min)}; set by {current.updated_by} on{" "}
            {dateTime(current.updated_at)} ({current.reason}).
          </p>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void store.save();
            }}
          >
            <div class="row">
              <ThresholdInput
                id="escalate-min"
                label="Escalate from (negative probability)"
                value={store.escalate.value}
                onInput={(value) => store.edit("escalate", value)}
              />
              <ThresholdInput
                id="priority-min"
                label="Priority from (negative probability)"
                value={store.priority.value}
                onInput={(value) => store.edit("priority", value)}
              />
              <fieldset class="field period">
                <legend>Preview period</legend>
                <div class="inline">
                  <div>
                    <label for="preview-from">From</label>
                    <input
                      id="preview-from"
                      type="date"
                      value={store.from.value}
                      onInput={(event) => (store.from.value = event.currentTarget.value)}
                    />
                  </div>
                  <div>
                    <label for="preview-to">To</label>
                    <input
                      id="preview-to"
                      type="date"
                      value={store.to.value}
                      onInput={(event) => (store.to.value = event.currentTarget.value)}
                    />
                  </div>
                </div>
              </fieldset>
            </div>
            <p class="hint" id="thresholds-hint">
              A request is escalated when the model's probability of “negative” is at least the
              escalate threshold, priority from the priority threshold up, standard below.
            </p>
            {store.problem.value && (store.escalate.value || store.priority.value) ? (
              <p class="notice warn" role="alert">
                {store.problem.value}
              </p>
            ) : null}
            <div class="actions">
              <button
                type="button"
                onClick={() => void store.runPreview()}
                disabled={store.previewing.value}
              >
                {store.previewing.value ? "Previewing…" : "Preview the change"}
              </button>
            </div>
            {store.previewError.value ? <ErrorNotice error={store.previewError.value} /> : null}
            <Preview store={store} />
            <label for="thresholds-reason">Reason for the change (recorded)</label>
            <input
              id="thresholds-reason"
              type="text"
              maxLength={500}
              value={store.reason.value}
              onInput={(event) => (store.reason.value = event.currentTarget.value)}
            />
            {store.saveError.value ? <ErrorNotice error={store.saveError.value} /> : null}
            {store.notice.value ? (
              <p class="notice success" role="status">
                {store.notice.value}
              </p>
            ) : null}
            <div class="actions">
              <button
                type="submit"
                class="primary"
                disabled={store.saving.value || !store.changed.value}
              >
                {store.saving.value ? "Saving…" : "Save thresholds"}
              </button>
              {!store.changed.value ? (
                <span class="meta">Change a threshold to save a new version.</span>
              ) : null}
            </div>
          </form>
        </>
      ) : null}
    </section>
  );
}

function Preview({ store }: { store: ThresholdsStore }) {
  const preview = store.preview.value;
  if (!preview) return null;
  const categories = Object.keys(preview.examined_by_category).sort();
  return (
    <div class="preview" data-testid="thresholds-preview">
      <p role="status">
        <strong>{preview.changed}</strong> of {preview.examined} requests in the period would
        change support level{preview.complete ? "." : " (the newest ones only: the period has more)."}
      </p>
      {categories.length > 0 ? (
        <table class="figures">
          <caption>Requests that would change level, by category</caption>
          <thead>
            <tr>
              <th scope="col">Category</th>
              <th scope="col" class="num">
                Would change
              </th>
              <th scope="col" class="num">
                Examined
              </th>
            </tr>
          </thead>
          <tbody>
            {categories.map((category) => (
              <tr key={category}>
                <th scope="row">{categoryLabel(category)}</th>
                <td class="num">{preview.changed_by_category[category] ?? 0}</td>
                <td class="num">{preview.examined_by_category[category] ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {preview.examples.length > 0 ? (
        <table class="figures">
          <caption>Examples</caption>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Category</th>
              <th scope="col" class="num">
                Negative
              </th>
              <th scope="col">Now</th>
              <th scope="col">Would be</th>
            </tr>
          </thead>
          <tbody>
            {preview.examples.map((example) => (
              <tr key={example.task_id}>
                <td>{dateTime(example.created_at)}</td>
                <td>{categoryLabel(example.category)}</td>
                <td class="num">{percent(example.negative)}</td>
                <td>
                  <LevelBadge level={example.current} />
                </td>
                <td>
                  <LevelBadge level={example.proposed} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
