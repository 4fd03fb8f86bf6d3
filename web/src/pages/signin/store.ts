import { signal } from "@preact/signals";

import { SignInFailed, type Session } from "../../auth/session";

/** Sign-in: username and password, then, on a first sign-in with a temporary password,
 * a new password chosen twice. */
export function createSignInStore(session: Session) {
  const username = signal("");
  const password = signal("");
  const step = signal<"credentials" | "new-password">("credentials");
  const newPassword = signal("");
  const repeated = signal("");
  const busy = signal(false);
  const error = signal<string | null>(null);

  function problem(): string | null {
    if (step.value === "credentials") {
      return !username.value.trim() || !password.value
        ? "Enter your username and password."
        : null;
    }
    if (!newPassword.value) return "Choose a new password.";
    if (newPassword.value !== repeated.value) return "The two new passwords are not the same.";
    return null;
  }

  /** Sends the step's form; true once the person is signed in. */
  async function submit(): Promise<boolean> {
    if (busy.value) {
      return false;
    }
    error.value = problem();
    if (error.value) {
      return false;
    }
    busy.value = true;
    try {
      if (step.value === "credentials") {
        const next = await session.signIn(username.value.trim(), password.value);
        password.value = "";
        if (next === "new-password") {
          step.value = "new-password";
          return false;
        }
      } else {
        await session.choosePassword(newPassword.value);
      }
      newPassword.value = "";
      repeated.value = "";
      return true;
    } catch (failure) {
      error.value =
        failure instanceof SignInFailed ? failure.message : "Sign-in failed. Try again.";
      if (failure instanceof SignInFailed && failure.restart) {
        step.value = "credentials";
      }
      return false;
    } finally {
      busy.value = false;
    }
  }

  return { username, password, step, newPassword, repeated, busy, error, submit };
}

export type SignInStore = ReturnType<typeof createSignInStore>;
