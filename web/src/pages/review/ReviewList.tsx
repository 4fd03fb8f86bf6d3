import { LabelText, LevelBadge } from "../../components/Badges";
import { percent, snippet } from "../../format";
import type { ReviewStore } from "./store";

/** The rest of the queue, riskiest first; any row can be taken up next. */
export function ReviewList({ store }: { store: ReviewStore }) {
  const currentId = store.current.value?.task.id;
  return (
    <section aria-labelledby="review-queue-heading" class="review-queue">
      <h2 id="review-queue-heading">Review queue, riskiest first</h2>
      <div class="table-wrap" role="region" aria-label="Review queue" tabIndex={0}>
        <table class="queue">
          <thead>
            <tr>
              <th scope="col">Risk</th>
              <th scope="col">Level</th>
              <th scope="col">Request</th>
              <th scope="col">Model's label</th>
              <th scope="col">
                <span class="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {store.items.value.map((item) => {
              const isCurrent = item.task.id === currentId;
              return (
                <tr key={item.task.id} aria-current={isCurrent ? "true" : undefined}>
                  <td class="num">{item.risk.toFixed(2)}</td>
                  <td>
                    <LevelBadge level={item.task.decision.support_level} />
                  </td>
                  <td class="request-cell">{snippet(item.task.text, 100)}</td>
                  <td>
                    <LabelText label={item.task.decision.label} />
                    <p class="meta">{percent(item.task.decision.confidence)} confidence</p>
                  </td>
                  <td>
                    {isCurrent ? (
                      <span class="meta">Under review</span>
                    ) : (
                      <button
                        type="button"
                        aria-label={`Review: ${snippet(item.task.text, 60)}`}
                        onClick={() => store.select(item.task.id)}
                      >
                        Review
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {store.nextCursor.value ? (
        <button
          type="button"
          class="more"
          disabled={store.loading.value}
          onClick={() => void store.loadQueue(store.nextCursor.value)}
        >
          Load more
        </button>
      ) : null}
    </section>
  );
}
