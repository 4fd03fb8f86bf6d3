import { useMemo } from "preact/hooks";

import { useServices } from "../../context";
import { createSignInStore } from "./store";

export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  const { session } = useServices();
  const store = useMemo(() => createSignInStore(session), [session]);
  const notice = session.notice.value;

  async function onSubmit(event: Event) {
    event.preventDefault();
    if (await store.submit()) {
      onSignedIn();
    }
  }

  return (
    <section class="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p class="lead">Customers follow their requests here; support staff work the queue.</p>
      {notice ? (
        <p class="notice info" role="status">
          {notice}
        </p>
      ) : null}
      <form onSubmit={onSubmit} noValidate>
        <label for="username">Username</label>
        <input
          id="username"
          name="username"
          autocomplete="username"
          value={store.username.value}
          onInput={(e) => (store.username.value = e.currentTarget.value)}
          required
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          value={store.password.value}
          onInput={(e) => (store.password.value = e.currentTarget.value)}
          required
        />
        {store.error.value ? (
          <p class="notice error" role="alert">
            {store.error.value}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={store.busy.value}>
          {store.busy.value ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </section>
  );
}
