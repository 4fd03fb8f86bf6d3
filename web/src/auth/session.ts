import { signal, type ReadonlySignal } from "@preact/signals";
import { Amplify } from "aws-amplify";
import { confirmSignIn, fetchAuthSession, signIn, signOut } from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";
import { sessionStorage } from "aws-amplify/utils";

import type { PortalConfig } from "../config";
import { roleFromGroups, type Role } from "./roles";

export interface SignedInUser {
  /** What the person signed in with (their email where the pool has one). */
  username: string;
  role: Role;
}

export class SessionEnded extends Error {
  constructor() {
    super("the session has ended");
  }
}

export interface Session {
  readonly user: ReadonlySignal<SignedInUser | null>;
  /** Why the person was sent back to sign in (an expired session), if they were. */
  readonly notice: ReadonlySignal<string | null>;
  /** Looks for a session kept in this tab; sets `user`. */
  restore(): Promise<void>;
  /** Signs in, or says the account must choose a new password first (a first sign-in with
   * a temporary password). Throws SignInFailed with a message for the person. */
  signIn(username: string, password: string): Promise<SignInStep>;
  /** Completes a sign-in that asked for a new password. Throws SignInFailed. */
  choosePassword(newPassword: string): Promise<void>;
  signOut(): Promise<void>;
  /** A current access token, refreshed when needed; throws SessionEnded when none can be had. */
  accessToken(): Promise<string>;
  /** Forgets the session because the API refused its token. */
  expire(): void;
}

export class SignInFailed extends Error {
  constructor(
    message: string,
    /** The sign-in must start again from the username and password. */
    readonly restart = false,
  ) {
    super(message);
  }
}

export type SignInStep = "signed-in" | "new-password";

const NEW_PASSWORD_STEP = "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED";

/**
 * Sign-in through Cognito (Amplify Auth) with the user pool named in config.json. Tokens are
 * kept in this tab's sessionStorage only and refreshed by Amplify when they expire.
 */
export function createSession(config: PortalConfig): Session {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: config.userPoolId,
        userPoolClientId: config.userPoolClientId,
        ...(config.userPoolEndpoint ? { userPoolEndpoint: config.userPoolEndpoint } : {}),
        loginWith: { username: true },
      },
    },
  });
  cognitoUserPoolsTokenProvider.setKeyValueStorage(sessionStorage);

  const user = signal<SignedInUser | null>(null);
  const notice = signal<string | null>(null);

  async function currentUser(): Promise<SignedInUser | null> {
    const { tokens } = await fetchAuthSession();
    if (!tokens) {
      return null;
    }
    const role = roleFromGroups(tokens.accessToken.payload["cognito:groups"]);
    const email = tokens.idToken?.payload["email"];
    const name = tokens.accessToken.payload["username"];
    const username = typeof email === "string" ? email : typeof name === "string" ? name : "";
    return role ? { username, role } : null;
  }

  async function forget(): Promise<void> {
    try {
      await signOut();
    } catch {
      // Revocation may be unavailable (the local user pool has none); the tokens kept in
      // this tab are cleared either way.
    }
    user.value = null;
  }

  /** Makes the person signed in once Cognito has said so and their role is known. */
  async function finish(isSignedIn: boolean): Promise<void> {
    if (!isSignedIn) {
      await forget();
      throw new SignInFailed(
        "This account needs a step the portal does not offer yet; ask your administrator.",
      );
    }
    const signedIn = await currentUser();
    if (!signedIn) {
      await forget();
      throw new SignInFailed("This account has no carescore role; ask your administrator.");
    }
    user.value = signedIn;
  }

  function expire(): void {
    if (user.value) {
      notice.value = "Your session has ended. Sign in again to carry on.";
    }
    void forget();
  }

  return {
    user,
    notice,
    expire,
    async restore() {
      try {
        user.value = await currentUser();
      } catch {
        user.value = null;
      }
    },
    async signIn(username, password) {
      notice.value = null;
      if (user.value) {
        await forget();
      }
      let result;
      try {
        result = await signIn({
          username,
          password,
          options: { authFlowType: "USER_PASSWORD_AUTH" },
        });
      } catch (error) {
        const name = error instanceof Error ? error.name : "";
        if (name === "NotAuthorizedException" || name === "UserNotFoundException") {
          throw new SignInFailed("The username or password is not right.");
        }
        throw new SignInFailed("Sign-in is not available right now. Try again in a moment.");
      }
      if (result.nextStep.signInStep === NEW_PASSWORD_STEP) {
        return "new-password";
      }
      await finish(result.isSignedIn);
      return "signed-in";
    },
    async choosePassword(newPassword) {
      let result;
      try {
        result = await confirmSignIn({ challengeResponse: newPassword });
      } catch (error) {
        const name = error instanceof Error ? error.name : "";
        if (name === "InvalidPasswordException") {
          throw new SignInFailed(
            "That password does not meet the rules: at least 12 characters, with upper and " +
              "lower case letters, a digit and a symbol.",
          );
        }
        if (name === "NotAuthorizedException") {
          await forget();
          throw new SignInFailed("The sign-in has expired. Sign in again with your password.", true);
        }
        throw new SignInFailed("Sign-in is not available right now. Try again in a moment.");
      }
      await finish(result.isSignedIn);
    },
    async signOut() {
      notice.value = null;
      await forget();
    },
    async accessToken() {
      try {
        const { tokens } = await fetchAuthSession();
        if (tokens) {
          return tokens.accessToken.toString();
        }
      } catch {
        // A refresh that fails ends the session like a missing token.
      }
      expire();
      throw new SessionEnded();
    },
  };
}
