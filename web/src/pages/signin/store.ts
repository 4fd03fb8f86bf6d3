import { signal } from "@preact/signals";

import { SignInFailed, type Session } from "../../auth/session";

export function createSignInStore(session: Session) {
  const username = signal("");
  const password = signal("");
  const busy = signal(false);
  const error = signal<string | null>(null);

  async function submit(): Promise<boolean> {
    if (busy.value) {
      return false;
    }
    if (!username.value.trim() || !password.value) {
      error.value = "Enter your username and password.";
      return false;
    }
    busy.value = true;
    error.value = null;
    try {
      await session.signIn(username.value.trim(), password.value);
      password.value = "";
      return true;
    } catch (failure) {
      error.value =
        failure instanceof SignInFailed ? failure.message : "Sign-in failed. Try again.";
      return false;
    } finally {
      busy.value = false;
    }
  }

  return { username, password, busy, error, submit };
}

export type SignInStore = ReturnType<typeof createSignInStore>;
