import { useMemo } from "preact/hooks";

import { useServices } from "../../context";
import { createSignInStore, type SignInStore } from "./store";

function SignInError({ store }: { store: SignInStore }) {
  return store.error.value ? (
    <p class="notice error" role="alert">
      {store.error.value}
    </p>
  ) : null;
}

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
      {store.step.value === "credentials" ? (
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
          <SignInError store={store} />
          <button type="submit" class="primary" disabled={store.busy.value}>
            {store.busy.value ? "Signing in…" : "Sign in"}
          </button>
        </form>
      ) : (
        <form onSubmit={onSubmit} noValidate aria-labelledby="new-password-title">
          <h2 id="new-password-title">Choose a new password</h2>
          <p id="password-rules" class="hint">
            This is your first sign-in with a temporary password. Choose your own: at least 12
            characters, with upper and lower case letters, a digit and a symbol.
          </p>
          <label for="new-password">New password</label>
          <input
            id="new-password"
            name="new-password"
            type="password"
            autocomplete="new-password"
            aria-describedby="password-rules"
            value={store.newPassword.value}
            onInput={(e) => (store.newPassword.value = e.currentTarget.value)}
            required
          />
          <label for="repeat-password">Repeat the new password</label>
          <input
            id="repeat-password"
            name="repeat-password"
            type="password"
            autocomplete="new-password"
            value={store.repeated.value}
            onInput={(e) => (store.repeated.value = e.currentTarget.value)}
            required
          />
          <SignInError store={store} />
          <button type="submit" class="primary" disabled={store.busy.value}>
            {store.busy.value ? "Saving…" : "Save and sign in"}
          </button>
        </form>
      )}
    </section>
  );
}
