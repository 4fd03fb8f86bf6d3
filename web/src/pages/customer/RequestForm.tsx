import { CATEGORIES, PRODUCTS } from "../../catalog";
import { SelectField } from "../../components/SelectField";
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
        <SelectField
          id="request-category"
          label="Topic"
          value={store.category.value}
          none="Choose a topic"
          options={CATEGORIES}
          onChange={(value) => (store.category.value = value)}
        />
        <SelectField
          id="request-product"
          label="Airline (optional)"
          value={store.product.value}
          none="Not sure or none"
          options={PRODUCTS}
          onChange={(value) => (store.product.value = value)}
        />
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
