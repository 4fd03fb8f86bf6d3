import { StatusBadge } from "../../components/Badges";
import { Empty, ErrorNotice, Loading } from "../../components/Notices";
import { categoryLabel } from "../../catalog";
import { dateTime } from "../../format";
import type { Task } from "../../api/client";
import type { CustomerStore } from "./store";

function RequestItem({ task }: { task: Task }) {
  return (
    <li class="card request">
      <div class="request-head">
        <StatusBadge status={task.status} />
        <span class="meta">
          {categoryLabel(task.category)}
          {task.product ? ` · ${task.product}` : ""} · sent {dateTime(task.created_at)}
        </span>
      </div>
      <p class="request-text">{task.text}</p>
      {task.reply_note ? (
        <div class="reply">
          <h3>Reply from support</h3>
          <p>{task.reply_note}</p>
        </div>
      ) : (
        <p class="meta">No reply yet.</p>
      )}
    </li>
  );
}

export function MyRequests({ store }: { store: CustomerStore }) {
  const requests = store.requests.value;
  return (
    <section aria-labelledby="my-requests" class="my-requests">
      <div class="section-head">
        <h2 id="my-requests">Sent requests</h2>
        <button type="button" onClick={() => void store.load()} disabled={store.loading.value}>
          Refresh
        </button>
      </div>
      {store.loadError.value ? (
        <ErrorNotice error={store.loadError.value} onRetry={() => void store.load()} />
      ) : null}
      {store.loading.value && !store.loaded.value ? <Loading what="Loading your requests…" /> : null}
      {store.loaded.value && requests.length === 0 ? (
        <Empty>You have not sent any requests yet.</Empty>
      ) : null}
      {requests.length > 0 ? (
        <ul class="plain" aria-label="Your requests">
          {requests.map((task) => (
            <RequestItem key={task.id} task={task} />
          ))}
        </ul>
      ) : null}
      {store.nextCursor.value ? (
        <button type="button" onClick={() => void store.load(true)} disabled={store.loading.value}>
          Show older requests
        </button>
      ) : null}
    </section>
  );
}
