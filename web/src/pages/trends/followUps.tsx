import { useState } from "preact/hooks";

import type { FollowUp, FollowUpState, Mechanism, NewFollowUp } from "../../api/trends";
import { dateTime } from "../../format";
import { addDays, utcDay } from "./period";
import { NEXT_FOLLOW_UP_STATES, type AccountStore } from "./store";

export const MECHANISM_TEXT: Record<Mechanism, string> = {
  call: "Call",
  email: "Email",
  callback: "Callback",
  voucher: "Voucher",
  other: "Other",
};

export const FOLLOW_UP_STATE_TEXT: Record<FollowUpState, string> = {
  open: "Open",
  contacted: "Contacted",
  resolved: "Resolved",
};

const MOVE_TEXT: Record<FollowUpState, string> = {
  open: "Reopen",
  contacted: "Mark contacted",
  resolved: "Mark resolved",
};

// Words carry the state; colour repeats it.
export function FollowUpBadge({ state }: { state: FollowUpState }) {
  return <span class={`badge follow-up-${state}`}>{FOLLOW_UP_STATE_TEXT[state]}</span>;
}

function FollowUpCard({ followUp, store }: { followUp: FollowUp; store: AccountStore }) {
  const title = `${MECHANISM_TEXT[followUp.mechanism]} by ${followUp.owner}`;
  return (
    <li
      class="follow-up"
      aria-label={`Follow-up: ${title}, ${FOLLOW_UP_STATE_TEXT[followUp.state]}`}
    >
      <p class="follow-up-head">
        <FollowUpBadge state={followUp.state} /> <strong>{title}</strong>{" "}
        <span class="meta">due {followUp.due_date}</span>
      </p>
      {followUp.note ? <p class="note">{followUp.note}</p> : null}
      {NEXT_FOLLOW_UP_STATES[followUp.state].length > 0 ? (
        <div class="actions">
          {NEXT_FOLLOW_UP_STATES[followUp.state].map((state) => (
            <button
              key={state}
              type="button"
              disabled={store.saving.value}
              onClick={() => void store.advance(followUp, state)}
            >
              {MOVE_TEXT[state]}
            </button>
          ))}
        </div>
      ) : null}
      <details>
        <summary>History ({followUp.history.length})</summary>
        <ol class="history">
          {followUp.history.map((step) => (
            <li key={`${step.changed_at}-${step.state}`}>
              <FollowUpBadge state={step.state} /> {dateTime(step.changed_at)} by {step.changed_by}
              <span class="meta">
                {" "}
                · owner {step.owner} · due {step.due_date}
                {step.note ? ` · ${step.note}` : ""}
              </span>
            </li>
          ))}
        </ol>
      </details>
    </li>
  );
}

export function FollowUpList({ store }: { store: AccountStore }) {
  const followUps = store.followUps.value;
  if (followUps.length === 0) return <p class="meta">No follow-up yet.</p>;
  return (
    <ul class="plain follow-ups" aria-label="Follow-ups">
      {followUps.map((followUp) => (
        <FollowUpCard key={followUp.id} followUp={followUp} store={store} />
      ))}
    </ul>
  );
}

/** A new follow-up: how, who, by when, and a note; the owner starts as the signed-in person. */
export function FollowUpForm({ store, owner }: { store: AccountStore; owner: string }) {
  const blank = (): NewFollowUp => ({
    mechanism: "call",
    owner,
    due_date: addDays(utcDay(new Date()), 2),
    note: "",
  });
  const [draft, setDraft] = useState<NewFollowUp>(blank);
  const edit = (change: Partial<NewFollowUp>) => setDraft({ ...draft, ...change });

  async function onSubmit(event: Event) {
    event.preventDefault();
    const note = draft.note?.trim() ?? "";
    const saved = await store.create({ ...draft, owner: draft.owner.trim(), note: note || null });
    if (saved) setDraft(blank());
  }

  return (
    <form class="follow-up-form" aria-labelledby="new-follow-up-title" onSubmit={onSubmit}>
      <h4 id="new-follow-up-title">Record a follow-up</h4>
      <div class="row">
        <div class="field">
          <label for="follow-up-mechanism">How</label>
          <select
            id="follow-up-mechanism"
            value={draft.mechanism}
            onChange={(event) => edit({ mechanism: event.currentTarget.value as Mechanism })}
          >
            {Object.entries(MECHANISM_TEXT).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="follow-up-owner">Owner</label>
          <input
            id="follow-up-owner"
            value={draft.owner}
            required
            maxLength={128}
            onInput={(event) => edit({ owner: event.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="follow-up-due">Due date</label>
          <input
            id="follow-up-due"
            type="date"
            value={draft.due_date}
            required
            onInput={(event) => edit({ due_date: event.currentTarget.value })}
          />
        </div>
      </div>
      <label for="follow-up-note">Note (optional)</label>
      <textarea
        id="follow-up-note"
        rows={2}
        maxLength={2000}
        value={draft.note ?? ""}
        onInput={(event) => edit({ note: event.currentTarget.value })}
      />
      <button type="submit" class="primary" disabled={store.saving.value}>
        {store.saving.value ? "Saving…" : "Record follow-up"}
      </button>
    </form>
  );
}
