import { useEffect, useRef } from "preact/hooks";

import type { Task } from "../../api/client";
import type { SignedInUser } from "../../auth/session";
import { categoryLabel } from "../../catalog";
import { LabelText, LevelBadge, StatusBadge } from "../../components/Badges";
import { ErrorNotice } from "../../components/Notices";
import { LABEL_TEXT, NEXT_STATUSES, STATUS_TEXT, dateTime, percent } from "../../format";
import type { QueueStore } from "./store";

function Decision({ task }: { task: Task }) {
  const { decision } = task;
  return (
    <section aria-labelledby="decision-title" class="decision">
      <h3 id="decision-title">Why this level</h3>
      <p>
        <LevelBadge level={decision.support_level} /> <LabelText label={decision.label} />{" "}
        <span class="meta">{percent(decision.confidence)} confidence</span>
      </p>
      <table class="compact">
        <caption>Probabilities</caption>
        <tbody>
          {(Object.keys(LABEL_TEXT) as (keyof typeof LABEL_TEXT)[]).map((label) => (
            <tr key={label}>
              <th scope="row">{LABEL_TEXT[label]}</th>
              <td>{percent(decision.probabilities[label])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table class="compact">
        <caption>Terms that drove it</caption>
        <thead>
          <tr>
            <th scope="col">Term</th>
            <th scope="col">Weight</th>
          </tr>
        </thead>
        <tbody>
          {decision.top_terms.map((term) => (
            <tr key={term.term}>
              <td>{term.term}</td>
              <td>{term.weight.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="meta">Model {decision.model_version.slice(0, 12)}</p>
    </section>
  );
}

interface TaskDialogProps {
  store: QueueStore;
  user: SignedInUser;
}

/** The task being worked on, as a modal dialog: the text, the decision and the edit form. */
export function TaskDialog({ store, user }: TaskDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const task = store.openTask.value;
  const draft = store.draft.value;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (task && !element.open) element.showModal();
    if (!task && element.open) element.close();
  }, [task]);

  async function onSubmit(event: Event) {
    event.preventDefault();
    await store.save();
  }

  return (
    <dialog ref={dialog} class="task-dialog" aria-labelledby="task-title" onClose={store.close}>
      {task && draft ? (
        <form onSubmit={onSubmit}>
          <div class="dialog-head">
            <h2 id="task-title">Request</h2>
            <button type="button" class="quiet" onClick={store.close}>
              Close
            </button>
          </div>
          <div class="dialog-body">
            <section class="task-text" aria-label="The request">
              <p>
                <StatusBadge status={task.status} />{" "}
                <span class="meta">
                  {categoryLabel(task.category)}
                  {task.product ? ` · ${task.product}` : ""} · {task.channel} · {dateTime(task.created_at)}
                </span>
              </p>
              <blockquote>{task.text}</blockquote>
              <p class="meta">Account {task.account_id}</p>
            </section>
            <Decision task={task} />
            <fieldset class="work">
              <legend>Work on it</legend>
              <label for="task-status">Status</label>
              <select
                id="task-status"
                value={draft.status}
                onChange={(e) => store.edit({ status: e.currentTarget.value as Task["status"] })}
              >
                {NEXT_STATUSES[task.status].map((status) => (
                  <option key={status} value={status}>
                    {STATUS_TEXT[status]}
                  </option>
                ))}
              </select>
              <label for="task-assignee">Assignee</label>
              <div class="inline">
                <input
                  id="task-assignee"
                  value={draft.assignee}
                  maxLength={128}
                  onInput={(e) => store.edit({ assignee: e.currentTarget.value })}
                />
                <button type="button" onClick={() => store.edit({ assignee: user.username })}>
                  Assign to me
                </button>
              </div>
              <label for="task-reply">Reply to the customer</label>
              <textarea
                id="task-reply"
                rows={4}
                maxLength={5000}
                value={draft.reply}
                onInput={(e) => store.edit({ reply: e.currentTarget.value })}
              />
            </fieldset>
          </div>
          {store.saveError.value ? <ErrorNotice error={store.saveError.value} /> : null}
          <div class="dialog-actions">
            <button type="submit" class="primary" disabled={store.saving.value}>
              {store.saving.value ? "Saving…" : "Save"}
            </button>
            <button type="button" onClick={store.close}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}
