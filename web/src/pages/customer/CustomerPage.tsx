import { useEffect, useMemo } from "preact/hooks";

import { useServices } from "../../context";
import { MyRequests } from "./MyRequests";
import { RequestForm } from "./RequestForm";
import { createCustomerStore } from "./store";

export function CustomerPage() {
  const { api } = useServices();
  const store = useMemo(() => createCustomerStore(api), [api]);
  useEffect(() => {
    void store.load();
  }, [store]);

  return (
    <div class="customer">
      <h1>My requests</h1>
      <div class="columns">
        <RequestForm store={store} />
        <MyRequests store={store} />
      </div>
    </div>
  );
}
