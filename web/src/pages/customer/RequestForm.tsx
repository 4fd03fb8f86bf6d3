import { CATEGORIES, PRODUCTS } from "../../catalog";
import { MAX_TEXT, type CustomerStore } from "./store";

export function RequestForm({ store }: { store: CustomerStore }) {
  async function onSubmit(event: Event) {
    event.preventDefault();
    await store.submit();
  }
  const left = MAX_TEXT - store.text.value.length;

  return (
    <form class="card request-form" onSubmit={onSubmit} noValidate aria-labelledby="new-request">
      <h2 id="new-request">New request</h2>
      <label for="request-text">How can we help?</label>
      <textarea
        id="request-text"
        rows={5}
        maxLength={MAX_TEXT}
        aria-describedby="request-text-count"
        value={store.text.value}
        onInput={(e) => (store.text.value = e.currentTarget.value)}
      />
      <p id="request-text-count" class="hint">
        {left} characters left
      </p>
      <div class="row">
        <div class="field">
          <label for="request-category">Topic</label>
          <select
            id="request-category"
            value={store.category.value}
            onChange={(e) => (store.category.value = e.currentTarget.value)}
          >
            <option value="">Choose a topic</option>
            {CATEGORIES.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="request-product">Airline (optional)</label>
          <select
            id="request-product"
            value={store.product.value}
            onChange={(e) => (store.product.value = e.currentTarget.value)}
          >
            <option value="">Not sure or none</option>
            {PRODUCTS.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {store.formError.value ? (
        <p class="notice error" role="alert">
          {store.formError.value}
        </p>
      ) : null}
      <p class="notice success" role="status">
        {store.sent.value ?? ""}
      </p>
      <button type="submit" class="primary" disabled={store.sending.value}>
        {store.sending.value ? "Sending…" : "Send request"}
      </button>
    </form>
  );
}
