import { useEffect, useMemo } from "preact/hooks";

import { Empty, ErrorNotice, Loading } from "../../components/Notices";
import { SelectField } from "../../components/SelectField";
import { STAFF_CATEGORIES } from "../../catalog";
import { useServices } from "../../context";
import { Agreement } from "./Agreement";
import { CurrentItem } from "./CurrentItem";
import { ReviewList } from "./ReviewList";
import { actionForKey, createReviewStore, type ReviewStore } from "./store";

const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);
const ACTIVATES_ON_ENTER = new Set(["BUTTON", "A", "SUMMARY"]);

/** 1/2/3 or n/u/p label the current item, Enter confirms the model's label; never while typing. */
function useReviewKeys(store: ReviewStore) {
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      const target = event.target as HTMLElement | null;
      if (target && (TYPING.has(target.tagName) || target.isContentEditable)) return;
      if (document.querySelector("dialog[open]")) return;
      const action = actionForKey(event.key);
      if (!action) return;
      if (action === "confirm" && target && ACTIVATES_ON_ENTER.has(target.tagName)) return;
      const item = store.current.value;
      if (!item || store.saving.value) return;
      event.preventDefault();
      void store.review(action === "confirm" ? item.task.decision.label : action);
    }
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [store]);
}

/** Narrows the queue to one category, or to requests created since a day. */
function QueueFilters({ store }: { store: ReviewStore }) {
  const filters = store.filters.value;
  return (
    <div class="filters review-filters" role="group" aria-label="Filter the review queue">
      <SelectField
        id="review-category"
        label="Category"
        value={filters.category}
        none="Any category"
        options={STAFF_CATEGORIES}
        onChange={(value) => void store.setFilter("category", value)}
      />
      <div class="field">
        <label for="review-since">Created on or after</label>
        <input
          id="review-since"
          type="date"
          value={filters.since}
          onChange={(event) => void store.setFilter("since", event.currentTarget.value)}
        />
      </div>
    </div>
  );
}

export function ReviewPage() {
  const { api } = useServices();
  const store = useMemo(() => createReviewStore(api), [api]);
  useEffect(() => {
    void store.reload();
  }, [store]);
  useReviewKeys(store);

  const items = store.items.value;
  const current = store.current.value;

  return (
    <div class="review-page">
      <div class="section-head">
        <h1>Review</h1>
        <button type="button" onClick={() => void store.reload()} disabled={store.loading.value}>
          Refresh
        </button>
      </div>
      <QueueFilters store={store} />
      <p class="visually-hidden" role="status">
        {store.loading.value ? "Loading the review queue…" : store.announcement.value}
      </p>
      <div class="review-columns">
        <section aria-labelledby="review-current" class="review-main">
          <h2 id="review-current">Decision to review</h2>
          {store.error.value ? (
            <ErrorNotice error={store.error.value} onRetry={() => void store.reload()} />
          ) : null}
          {store.stale.value ? (
            <p class="notice warn" role="alert">
              {store.stale.value}
            </p>
          ) : null}
          {store.loading.value && !store.loaded.value ? (
            <Loading what="Loading the review queue…" />
          ) : null}
          {store.loaded.value && items.length === 0 && !store.error.value ? (
            <Empty>
              {store.filters.value.category || store.filters.value.since
                ? "Nothing to review with these filters."
                : "Nothing left to review. Every decision in the queue has a review."}
            </Empty>
          ) : null}
          {current ? <CurrentItem store={store} item={current} /> : null}
        </section>
        <Agreement store={store} />
      </div>
      {items.length > 0 ? <ReviewList store={store} /> : null}
    </div>
  );
}
