import { computed, signal } from "@preact/signals";

import {
  type Api,
  ApiError,
  asApiError,
  type Label,
  type SupportLevel,
  type Task,
  type TaskChanges,
  type TaskQuery,
  type TaskStatus,
} from "../../api/client";

export const PAGE_SIZE = 25;

export interface QueueFilters {
  status: TaskStatus | "";
  supportLevel: SupportLevel | "";
  label: Label | "";
  category: string;
}

export const DEFAULT_FILTERS: QueueFilters = {
  status: "open",
  supportLevel: "",
  label: "",
  category: "",
};

/** The list query for `filters`: most urgent first, empty filters left out. */
export function queryFor(filters: QueueFilters, cursor: string | null): TaskQuery {
  return {
    order: "support_level",
    limit: PAGE_SIZE,
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.supportLevel ? { support_level: filters.supportLevel } : {}),
    ...(filters.label ? { label: filters.label } : {}),
    ...(filters.category ? { category: filters.category } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

export interface Draft {
  status: TaskStatus;
  assignee: string;
  reply: string;
}

/** Only what the agent changed, in the API's terms (an empty assignee unassigns). */
export function changesFrom(task: Task, draft: Draft): TaskChanges | null {
  const changes: TaskChanges = {};
  if (draft.status !== task.status) changes.status = draft.status;
  const assignee = draft.assignee.trim();
  if (assignee !== (task.assignee ?? "")) changes.assignee = assignee || null;
  const reply = draft.reply.trim();
  if (reply !== (task.reply_note ?? "")) changes.reply_note = reply;
  return Object.keys(changes).length > 0 ? changes : null;
}

/** The agent queue: filters, the current page (with the cursors to go back), the task being
 * worked on and its unsaved changes. */
export function createQueueStore(api: Api, onFirstLoad: () => void = () => {}) {
  const filters = signal<QueueFilters>({ ...DEFAULT_FILTERS });
  const tasks = signal<Task[]>([]);
  // cursors[i] is the cursor that fetched page i (null for the first page).
  const cursors = signal<(string | null)[]>([null]);
  const nextCursor = signal<string | null>(null);
  const loading = signal(false);
  const loaded = signal(false);
  const error = signal<ApiError | null>(null);
  const announcement = signal("");

  const openId = signal<string | null>(null);
  const draft = signal<Draft | null>(null);
  const saving = signal(false);
  const saveError = signal<ApiError | null>(null);

  const pageNumber = computed(() => cursors.value.length);
  const openTask = computed(() => tasks.value.find((task) => task.id === openId.value) ?? null);
  let request = 0;

  async function fetchPage(cursor: string | null): Promise<boolean> {
    const mine = ++request;
    loading.value = true;
    error.value = null;
    try {
      const page = await api.listTasks(queryFor(filters.value, cursor));
      if (mine !== request) return false; // a newer filter or page won
      tasks.value = page.items;
      nextCursor.value = page.next_cursor ?? null;
      if (!loaded.value) {
        loaded.value = true;
        onFirstLoad();
      }
      return true;
    } catch (failure) {
      if (mine === request) error.value = asApiError(failure);
      return false;
    } finally {
      if (mine === request) loading.value = false;
    }
  }

  async function reload(): Promise<void> {
    await fetchPage(cursors.value[cursors.value.length - 1] ?? null);
  }

  async function setFilter<K extends keyof QueueFilters>(key: K, value: QueueFilters[K]) {
    filters.value = { ...filters.value, [key]: value };
    cursors.value = [null];
    await fetchPage(null);
  }

  async function resetFilters(): Promise<void> {
    filters.value = { ...DEFAULT_FILTERS };
    cursors.value = [null];
    await fetchPage(null);
  }

  async function nextPage(): Promise<void> {
    const cursor = nextCursor.value;
    if (!cursor || loading.value) return;
    if (await fetchPage(cursor)) cursors.value = [...cursors.value, cursor];
  }

  async function previousPage(): Promise<void> {
    if (cursors.value.length < 2 || loading.value) return;
    const previous = cursors.value.slice(0, -1);
    if (await fetchPage(previous[previous.length - 1] ?? null)) cursors.value = previous;
  }

  function open(task: Task): void {
    openId.value = task.id;
    saveError.value = null;
    draft.value = { status: task.status, assignee: task.assignee ?? "", reply: task.reply_note ?? "" };
  }

  function close(): void {
    openId.value = null;
    draft.value = null;
    saveError.value = null;
  }

  function edit(change: Partial<Draft>): void {
    if (draft.value) draft.value = { ...draft.value, ...change };
  }

  /** Saves the open task's changes; true when saved (or nothing to save). */
  async function save(): Promise<boolean> {
    const task = openTask.value;
    if (!task || !draft.value || saving.value) return false;
    const changes = changesFrom(task, draft.value);
    if (!changes) {
      close();
      return true;
    }
    saving.value = true;
    saveError.value = null;
    try {
      const updated = await api.updateTask(task.id, task.revision, changes);
      tasks.value = tasks.value.map((item) => (item.id === updated.id ? updated : item));
      announcement.value = `Saved. The request is now ${updated.status.replace("_", " ")}.`;
      close();
      return true;
    } catch (failure) {
      saveError.value = asApiError(failure);
      return false;
    } finally {
      saving.value = false;
    }
  }

  return {
    filters,
    tasks,
    nextCursor,
    loading,
    loaded,
    error,
    announcement,
    pageNumber,
    openTask,
    draft,
    saving,
    saveError,
    reload,
    setFilter,
    resetFilters,
    nextPage,
    previousPage,
    open,
    close,
    edit,
    save,
  };
}

export type QueueStore = ReturnType<typeof createQueueStore>;
