import { describe, expect, it } from "vitest";

import type { Api, Task } from "../../api/client";
import { createCustomerStore } from "./store";

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

const task = (id: string) => ({ id, text: `request ${id}` }) as unknown as Task;

interface TaskPage {
  items: Task[];
  next_cursor: string | null;
}

describe("customer store", () => {
  it("keeps a request sent while the list was still loading", async () => {
    const page = deferred<TaskPage>();
    const api = {
      listTasks: () => page.promise,
      createTask: async () => task("new"),
    } as unknown as Api;
    const store = createCustomerStore(api);
    const loading = store.load(); // the first page, read before the request exists
    store.text.value = "My bag never arrived";
    store.category.value = "Lost Luggage";
    expect(await store.submit()).toBe(true);
    page.resolve({ items: [task("old")], next_cursor: null });
    await loading;
    expect(store.requests.value.map((item) => item.id)).toEqual(["new", "old"]);
  });

  it("shows a sent request once when the list has it too", async () => {
    const api = {
      listTasks: async () => ({ items: [task("new"), task("old")], next_cursor: null }),
      createTask: async () => task("new"),
    } as unknown as Api;
    const store = createCustomerStore(api);
    store.text.value = "My bag never arrived";
    store.category.value = "Lost Luggage";
    await store.submit();
    await store.load();
    expect(store.requests.value.map((item) => item.id)).toEqual(["new", "old"]);
  });
});
