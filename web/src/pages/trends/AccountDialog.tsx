import { useEffect, useMemo, useRef } from "preact/hooks";

import type { Task } from "../../api/client";
import type { AtRiskRule } from "../../api/trends";
import { categoryLabel } from "../../catalog";
import { LabelText, LevelBadge, StatusBadge } from "../../components/Badges";
import { Empty, ErrorNotice, Loading } from "../../components/Notices";
import { useServices } from "../../context";
import { LABEL_TEXT, dateTime, percent } from "../../format";
import { ruleText } from "./AtRiskList";
import { FollowUpForm, FollowUpList } from "./followUps";
import { createAccountStore } from "./store";

function ReviewCell({ task }: { task: Task }) {
  const review = task.review;
  if (!review) return <span class="meta">Not reviewed</span>;
  return (
    <>
      <LabelText label={review.label} />
      <p class="meta">
        {review.correction ? `Corrected from ${LABEL_TEXT[review.model_label]}` : "Confirmed"} by{" "}
        {review.reviewer} · {dateTime(review.reviewed_at)}
      </p>
    </>
  );
}

function Requests({ tasks }: { tasks: Task[] }) {
  return (
    <table class="queue timeline">
      <caption class="visually-hidden">The account's requests, newest first</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Request</th>
          <th scope="col">Decision</th>
          <th scope="col">Review</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((task) => (
          <tr key={task.id}>
            <td class="when">{dateTime(task.created_at)}</td>
            <td class="request-cell">
              <p class="request-text">{task.text}</p>
              <p class="meta">
                {categoryLabel(task.category)}
                {task.product ? ` · ${task.product}` : ""}
              </p>
            </td>
            <td>
              <LabelText label={task.decision.label} />{" "}
              <LevelBadge level={task.decision.support_level} />
              <p class="meta">{percent(task.decision.confidence)} confidence</p>
            </td>
            <td>
              <ReviewCell task={task} />
            </td>
            <td>
              <StatusBadge status={task.status} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface AccountDialogProps {
  accountId: string;
  owner: string;
  rule: AtRiskRule | null;
  onClose: () => void;
}

/** One account as a modal dialog: why it is at risk, its follow-ups (record one, move it on)
 * and every request with its decision and review. */
export function AccountDialog({ accountId, owner, rule, onClose }: AccountDialogProps) {
  const { api } = useServices();
  const store = useMemo(() => createAccountStore(api, accountId), [api, accountId]);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
    void store.load();
  }, [store]);

  const risk = store.risk.value;
  const tasks = store.tasks.value;
  return (
    <dialog
      ref={dialog}
      class="task-dialog account-dialog"
      aria-labelledby="account-title"
      onClose={onClose}
    >
      <div class="dialog-head">
        <h2 id="account-title">Account {accountId}</h2>
        <button type="button" class="quiet" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
      <div class="account-body">
        <p class="visually-hidden" role="status">
          {store.announcement.value}
        </p>
        {store.error.value ? (
          <ErrorNotice error={store.error.value} onRetry={() => void store.load()} />
        ) : null}
        {store.loading.value && !store.loaded.value ? (
          <Loading what="Loading the timeline…" />
        ) : null}
        {store.loaded.value ? (
          <>
            <p class="risk-line">
              {risk ? (
                <>
                  <strong>At risk</strong>: {ruleText(risk, rule)}
                  {risk.at_risk_since ? ` since ${dateTime(risk.at_risk_since)}` : ""}.
                </>
              ) : (
                "Not at risk now."
              )}
            </p>
            <section aria-labelledby="follow-ups-title" class="follow-up-section">
              <h3 id="follow-ups-title">Follow-ups</h3>
              {store.saveError.value ? <ErrorNotice error={store.saveError.value} /> : null}
              <FollowUpList store={store} />
              <FollowUpForm store={store} owner={owner} />
            </section>
            <section aria-labelledby="requests-title">
              <h3 id="requests-title">Requests</h3>
              {tasks.length === 0 ? (
                <Empty>This account has sent no requests.</Empty>
              ) : (
                <div
                  class="table-wrap"
                  role="region"
                  aria-label="Requests of the account"
                  tabIndex={0}
                >
                  <Requests tasks={tasks} />
                </div>
              )}
              {store.nextCursor.value ? (
                <button
                  type="button"
                  class="more"
                  onClick={() => void store.more()}
                  disabled={store.loading.value}
                >
                  Show older requests
                </button>
              ) : null}
            </section>
          </>
        ) : null}
      </div>
    </dialog>
  );
}
