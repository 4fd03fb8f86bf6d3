import type { Label, ReviewQueueItem } from "../../api/client";
import { categoryLabel } from "../../catalog";
import { LabelText, LevelBadge } from "../../components/Badges";
import { ErrorNotice } from "../../components/Notices";
import { LABEL_TEXT, dateTime, percent } from "../../format";
import { LABELS, type ReviewStore } from "./store";

const KEYS: Record<Label, [string, string]> = {
  negative: ["1", "N"],
  neutral: ["2", "U"],
  positive: ["3", "P"],
};

/** The text with the model's label, probabilities and top terms beside it, and the actions. */
export function CurrentItem({ store, item }: { store: ReviewStore; item: ReviewQueueItem }) {
  const { task } = item;
  const { decision } = task;
  const saving = store.saving.value;
  return (
    <article class="card review-item" aria-label="Request under review">
      <div class="request-head">
        <LevelBadge level={decision.support_level} />
        <span class="meta">
          {categoryLabel(task.category)}
          {task.product ? ` · ${task.product}` : ""} · {dateTime(task.created_at)} · risk{" "}
          {item.risk.toFixed(2)}
        </span>
      </div>
      <blockquote>{task.text}</blockquote>
      <div class="reasons">
        <div>
          <h3>Model's label</h3>
          <p>
            <LabelText label={decision.label} /> · {percent(decision.confidence)} confidence ·
            margin {percent(item.margin)}
          </p>
          <table class="compact probabilities">
            <caption>Probabilities</caption>
            <tbody>
              {LABELS.map((label) => (
                <tr key={label}>
                  <th scope="row">{LABEL_TEXT[label]}</th>
                  <td class="num">{percent(decision.probabilities[label])}</td>
                  <td class="bar-cell" aria-hidden="true">
                    <span class="bar" style={{ width: `${decision.probabilities[label] * 100}%` }} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          <h3>Terms that drove it</h3>
          {decision.top_terms.length === 0 ? (
            <p class="meta">No terms recorded.</p>
          ) : (
            <table class="compact">
              <caption class="visually-hidden">Top terms and their weights</caption>
              <thead>
                <tr>
                  <th scope="col">Term</th>
                  <th scope="col">Weight</th>
                </tr>
              </thead>
              <tbody>
                {decision.top_terms.slice(0, 6).map((term) => (
                  <tr key={term.term}>
                    <td>{term.term}</td>
                    <td class="num">{term.weight.toFixed(2)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
      <label for="review-note">Note (optional)</label>
      <textarea
        id="review-note"
        rows={2}
        maxLength={1000}
        value={store.note.value}
        onInput={(event) => (store.note.value = event.currentTarget.value)}
      />
      <p class="hint" id="review-keys">
        Keys: <kbd>1</kbd> or <kbd>N</kbd> negative · <kbd>2</kbd> or <kbd>U</kbd> neutral ·{" "}
        <kbd>3</kbd> or <kbd>P</kbd> positive · <kbd>Enter</kbd> confirms the model's label (not
        while typing in the note).
      </p>
      <div class="review-actions" role="group" aria-label="Label this request">
        {LABELS.map((label) => {
          const confirms = label === decision.label;
          const name = confirms ? `Confirm ${label}` : `Correct to ${label}`;
          const [digit, letter] = KEYS[label];
          return (
            <button
              key={label}
              type="button"
              class={confirms ? "primary" : undefined}
              disabled={saving}
              aria-keyshortcuts={confirms ? `${digit} ${letter} Enter` : `${digit} ${letter}`}
              onClick={() => void store.review(label)}
            >
              {name}{" "}
              <span class="key-hint" aria-hidden="true">
                ({digit}
                {confirms ? ", Enter" : ""})
              </span>
            </button>
          );
        })}
      </div>
      {store.saveError.value ? <ErrorNotice error={store.saveError.value} /> : null}
    </article>
  );
}
