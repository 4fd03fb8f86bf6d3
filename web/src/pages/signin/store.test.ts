import { signal } from "@preact/signals";
import { describe, expect, it } from "vitest";

import { SignInFailed, type Session, type SignedInUser } from "../../auth/session";
import { createSignInStore } from "./store";

function fakeSession(first: "signed-in" | "new-password") {
  const user = signal<SignedInUser | null>(null);
  const chosen: string[] = [];
  const session = {
    user,
    notice: signal(null),
    signIn: async () => {
      if (first === "signed-in") user.value = { username: "ana", role: "agent" };
      return first;
    },
    choosePassword: async (password: string) => {
      if (password.length < 12) throw new SignInFailed("That password does not meet the rules.");
      chosen.push(password);
      user.value = { username: "ana", role: "agent" };
    },
  } as unknown as Session;
  return { session, chosen };
}

describe("sign-in store", () => {
  it("asks a first sign-in for a new password, twice the same, then signs in", async () => {
    const { session, chosen } = fakeSession("new-password");
    const store = createSignInStore(session);
    store.username.value = "ana@example.com";
    store.password.value = "Temporary-Pass-1";
    expect(await store.submit()).toBe(false);
    expect(store.step.value).toBe("new-password");

    store.newPassword.value = "Mine-and-only-mine-1";
    store.repeated.value = "Mine-and-only-mine-2";
    expect(await store.submit()).toBe(false);
    expect(store.error.value).toBe("The two new passwords are not the same.");

    store.newPassword.value = "short";
    store.repeated.value = "short";
    expect(await store.submit()).toBe(false);
    expect(store.error.value).toBe("That password does not meet the rules.");

    store.newPassword.value = "Mine-and-only-mine-1";
    store.repeated.value = "Mine-and-only-mine-1";
    expect(await store.submit()).toBe(true);
    expect(chosen).toEqual(["Mine-and-only-mine-1"]);
    expect(store.newPassword.value).toBe("");
  });

  it("signs an account with its own password straight in", async () => {
    const store = createSignInStore(fakeSession("signed-in").session);
    store.username.value = "ana@example.com";
    store.password.value = "Own-Password-1";
    expect(await store.submit()).toBe(true);
    expect(store.step.value).toBe("credentials");
  });
});
