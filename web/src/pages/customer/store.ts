import { signal } from "@preact/signals";

import { type Api, ApiError, asApiError, type Task } from "../../api/client";

export const MAX_TEXT = 5000;
const PAGE_SIZE = 20;

/** The customer's page: the request form and their own requests, newest first. */
export function createCustomerStore(api: Api) {
  const text = signal("");
  const category = signal("");
  const product = signal("");
  const sending = signal(false);
  const formError = signal<string | null>(null);
  const sent = signal<string | null>(null);

  const requests = signal<Task[]>([]);
  const nextCursor = signal<string | null>(null);
  const loading = signal(false);
  const loaded = signal(false);
  const loadError = signal<ApiError | null>(null);
  // What this page sent: a first page read while a request was being sent may lack it.
  const sentHere: Task[] = [];

  async function load(more = false): Promise<void> {
    loading.value = true;
    loadError.value = null;
    try {
      const page = await api.listTasks({
        order: "newest",
        limit: PAGE_SIZE,
        ...(more && nextCursor.value ? { cursor: nextCursor.value } : {}),
      });
      const read = new Set(page.items.map((item) => item.id));
      requests.value = more
        ? [...requests.value, ...page.items]
        : [...sentHere.filter((task) => !read.has(task.id)), ...page.items];
      nextCursor.value = page.next_cursor ?? null;
      loaded.value = true;
    } catch (error) {
      loadError.value = asApiError(error);
    } finally {
      loading.value = false;
    }
  }

  function problem(): string | null {
    if (!text.value.trim()) return "Describe what you need help with.";
    if (text.value.length > MAX_TEXT) return `Keep it under ${MAX_TEXT} characters.`;
    if (!category.value) return "Choose what it is about.";
    return null;
  }

  /** Sends the request (for the signed-in customer's own account); true when it was taken. */
  async function submit(): Promise<boolean> {
    if (sending.value) return false;
    sent.value = null;
    formError.value = problem();
    if (formError.value) return false;
    sending.value = true;
    try {
      const task = await api.createTask({
        text: text.value.trim(),
        category: category.value,
        channel: "web",
        ...(product.value ? { product: product.value } : {}),
      });
      sentHere.unshift(task);
      requests.value = [task, ...requests.value.filter((item) => item.id !== task.id)];
      loaded.value = true;
      text.value = "";
      category.value = "";
      product.value = "";
      sent.value = "Thanks, your request was sent. You will see the reply here.";
      return true;
    } catch (error) {
      formError.value = asApiError(error).message;
      return false;
    } finally {
      sending.value = false;
    }
  }

  return {
    text,
    category,
    product,
    sending,
    formError,
    sent,
    requests,
    nextCursor,
    loading,
    loaded,
    loadError,
    load,
    submit,
  };
}

export type CustomerStore = ReturnType<typeof createCustomerStore>;
