import { computed, signal } from "@preact/signals";

import {
  type Api,
  ApiError,
  asApiError,
  type Label,
  type ReviewQueueItem,
  type ReviewQueueQuery,
  type ReviewStats,
} from "../../api/client";

export const PAGE_SIZE = 25;
// How many pages one load reads at most while filtered pages come back empty.
const MAX_EMPTY_READS = 40;

export interface ReviewFilters {
  category: string;
  /** A date (YYYY-MM-DD, the person's own day): only requests created on or after it. */
  since: string;
}

/** The queue query for `filters`, empty ones left out. */
export function queueQuery(filters: ReviewFilters, cursor: string | null): ReviewQueueQuery {
  const [year, month, day] = filters.since.split("-").map(Number);
  const since = filters.since ? new Date(year ?? 0, (month ?? 1) - 1, day ?? 1) : null;
  const filtered = Boolean(filters.category || filters.since);
  return {
    // Filtered pages are mostly filtered out: read more of the index at a time.
    limit: filtered ? 100 : PAGE_SIZE,
    ...(filters.category ? { category: filters.category } : {}),
    ...(since && !Number.isNaN(since.getTime()) ? { created_from: since.toISOString() } : {}),
    ...(cursor ? { cursor } : {}),
  };
}
export const LABELS: readonly Label[] = ["negative", "neutral", "positive"];

/** The label a key gives (1/2/3 or n/u/p), "confirm" for Enter, else null. */
export function actionForKey(key: string): Label | "confirm" | null {
  switch (key.toLowerCase()) {
    case "1":
    case "n":
      return "negative";
    case "2":
    case "u":
      return "neutral";
    case "3":
    case "p":
      return "positive";
    case "enter":
      return "confirm";
    default:
      return null;
  }
}

/** The confusion matrix's rows (model label) and cells (reviewed label), zeros filled in. */
export function confusionRows(
  confusion: Partial<Record<Label, Partial<Record<Label, number>>>>,
): { model: Label; counts: number[]; total: number }[] {
  return LABELS.map((model) => {
    const counts = LABELS.map((reviewed) => confusion[model]?.[reviewed] ?? 0);
    return { model, counts, total: counts.reduce((sum, count) => sum + count, 0) };
  });
}

/** The review page: the queue riskiest first, the item being reviewed, and the agreement. */
export function createReviewStore(api: Api) {
  const filters = signal<ReviewFilters>({ category: "", since: "" });
  const items = signal<ReviewQueueItem[]>([]);
  const nextCursor = signal<string | null>(null);
  const loading = signal(false);
  const loaded = signal(false);
  const error = signal<ApiError | null>(null);
  const currentId = signal<string | null>(null);
  const note = signal("");
  const saving = signal(false);
  const saveError = signal<ApiError | null>(null);
  const stale = signal<string | null>(null);
  const announcement = signal("");

  const stats = signal<ReviewStats | null>(null);
  const statsError = signal<ApiError | null>(null);

  const current = computed(
    () => items.value.find((item) => item.task.id === currentId.value) ?? items.value[0] ?? null,
  );

  // Answers can come back out of order (one call waits for a busy server, a later one does
  // not): only the latest call of each kind may set what the page shows.
  let statsCall = 0;
  let queueCall = 0;

  async function loadStats(): Promise<void> {
    const mine = ++statsCall;
    try {
      const answer = await api.reviewStats();
      if (mine !== statsCall) return;
      stats.value = answer;
      statsError.value = null;
    } catch (failure) {
      if (mine === statsCall) statsError.value = asApiError(failure);
    }
  }

  async function loadQueue(cursor: string | null = null): Promise<void> {
    const mine = ++queueCall;
    loading.value = true;
    error.value = null;
    try {
      // The API filters each page of the riskiest-first index, so a filtered page may hold
      // nothing yet still lead on: read on (boundedly) until something matches.
      let page = await api.reviewQueue(queueQuery(filters.value, cursor));
      const found = [...page.items];
      for (let reads = 1; found.length === 0 && page.next_cursor && reads < MAX_EMPTY_READS; reads += 1) {
        page = await api.reviewQueue(queueQuery(filters.value, page.next_cursor));
        if (mine !== queueCall) return;
        found.push(...page.items);
      }
      if (mine !== queueCall) return;
      // A page after the first may repeat an item the first page had (the queue moved).
      const known = cursor ? new Set(items.value.map((item) => item.task.id)) : new Set();
      const fresh = found.filter((item) => !known.has(item.task.id));
      items.value = cursor ? [...items.value, ...fresh] : found;
      nextCursor.value = page.next_cursor ?? null;
      loaded.value = true;
    } catch (failure) {
      if (mine === queueCall) error.value = asApiError(failure);
    } finally {
      if (mine === queueCall) loading.value = false;
    }
  }

  async function reload(): Promise<void> {
    await Promise.all([loadQueue(null), loadStats()]);
  }

  async function setFilter<K extends keyof ReviewFilters>(key: K, value: ReviewFilters[K]) {
    filters.value = { ...filters.value, [key]: value };
    currentId.value = null;
    await loadQueue(null);
  }

  function select(taskId: string): void {
    currentId.value = taskId;
    note.value = "";
    saveError.value = null;
    stale.value = null;
  }

  /** Refetches one task after a 412 so the supervisor judges what is there now. */
  async function refreshItem(taskId: string): Promise<void> {
    try {
      const task = await api.getTask(taskId);
      if (task.reviewed) {
        items.value = items.value.filter((item) => item.task.id !== taskId);
        stale.value = `Someone reviewed this request meanwhile (as ${task.effective_label}); it has left the queue.`;
      } else {
        items.value = items.value.map((item) => (item.task.id === taskId ? { ...item, task } : item));
        stale.value =
          "This request changed since it was loaded. It has been reloaded: check it and choose again.";
      }
    } catch (failure) {
      saveError.value = asApiError(failure);
    }
  }

  /** Records `label` for the current item (the model's label confirms, another corrects). */
  async function review(label: Label): Promise<boolean> {
    const item = current.value;
    if (!item || saving.value) return false;
    const { task } = item;
    saving.value = true;
    saveError.value = null;
    stale.value = null;
    const text = note.value.trim();
    try {
      await api.reviewTask(task.id, task.revision, { label, ...(text ? { note: text } : {}) });
      const index = items.value.findIndex((entry) => entry.task.id === task.id);
      const rest = items.value.filter((entry) => entry.task.id !== task.id);
      items.value = rest;
      currentId.value = rest[Math.min(index, rest.length - 1)]?.task.id ?? null;
      note.value = "";
      const verb = label === task.decision.label ? "Confirmed" : "Corrected to";
      announcement.value = `${verb} ${label}. ${rest.length} left on this page.`;
      await loadStats();
      if (rest.length === 0 && nextCursor.value) await loadQueue(nextCursor.value);
      return true;
    } catch (failure) {
      const problem = asApiError(failure);
      if (problem.status === 412) {
        await refreshItem(task.id);
      } else {
        saveError.value = problem;
      }
      return false;
    } finally {
      saving.value = false;
    }
  }

  return {
    filters,
    setFilter,
    items,
    nextCursor,
    loading,
    loaded,
    error,
    current,
    note,
    saving,
    saveError,
    stale,
    announcement,
    stats,
    statsError,
    reload,
    loadQueue,
    loadStats,
    select,
    review,
  };
}

export type ReviewStore = ReturnType<typeof createReviewStore>;
