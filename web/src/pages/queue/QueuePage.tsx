import { useEffect, useMemo } from "preact/hooks";

import type { SignedInUser } from "../../auth/session";
import { Empty, ErrorNotice, Loading } from "../../components/Notices";
import { useServices } from "../../context";
import { Filters } from "./Filters";
import { QueueTable } from "./QueueTable";
import { createQueueStore } from "./store";
import { TaskDialog } from "./TaskDialog";

// Marks when the queue first became usable, for the load-time budget.
const READY_MARK = "carescore:queue-ready";

export function QueuePage({ user }: { user: SignedInUser }) {
  const { api } = useServices();
  const store = useMemo(
    () => createQueueStore(api, () => performance.mark(READY_MARK)),
    [api],
  );
  useEffect(() => {
    void store.reload();
  }, [store]);

  const tasks = store.tasks.value;
  const page = store.pageNumber.value;

  return (
    <div class="queue-page">
      <div class="section-head">
        <h1>Queue</h1>
        <button type="button" onClick={() => void store.reload()} disabled={store.loading.value}>
          Refresh
        </button>
      </div>
      <Filters store={store} />
      <p class="visually-hidden" role="status">
        {store.loading.value ? "Loading requests…" : store.announcement.value}
      </p>
      {store.error.value ? (
        <ErrorNotice error={store.error.value} onRetry={() => void store.reload()} />
      ) : null}
      {store.loading.value && !store.loaded.value ? <Loading what="Loading the queue…" /> : null}
      {store.loaded.value && tasks.length === 0 && !store.error.value ? (
        <Empty>No requests match these filters.</Empty>
      ) : null}
      {tasks.length > 0 ? (
        <div
          class={store.loading.value ? "table-wrap busy" : "table-wrap"}
          aria-busy={store.loading.value}
          role="region"
          aria-label="Requests"
          // A table wider than the screen scrolls; keyboard users need to reach it too.
          tabIndex={0}
        >
          <QueueTable tasks={tasks} onOpen={store.open} />
        </div>
      ) : null}
      {page > 1 || store.nextCursor.value ? (
        <nav class="pager" aria-label="Queue pages">
          <button
            type="button"
            onClick={() => void store.previousPage()}
            disabled={page < 2 || store.loading.value}
          >
            Previous page
          </button>
          <span>Page {page}</span>
          <button
            type="button"
            onClick={() => void store.nextPage()}
            disabled={!store.nextCursor.value || store.loading.value}
          >
            Next page
          </button>
        </nav>
      ) : null}
      <TaskDialog store={store} user={user} />
    </div>
  );
}
