import { signal, type ReadonlySignal } from "@preact/signals";

import type { Role } from "./auth/roles";

export type PageId = "sign-in" | "requests" | "review" | "models" | "trends" | "queue";

interface PageInfo {
  title: string;
  /** Who may open it; the header lists only these pages. */
  roles: readonly Role[];
}

export const PAGES: Record<Exclude<PageId, "sign-in">, PageInfo> = {
  requests: { title: "My requests", roles: ["customer"] },
  review: { title: "Review", roles: ["supervisor"] },
  models: { title: "Models", roles: ["supervisor"] },
  trends: { title: "Trends", roles: ["supervisor"] },
  queue: { title: "Queue", roles: ["agent", "supervisor"] },
};

/** The pages a role may open, in header order. */
export function pagesFor(role: Role): Exclude<PageId, "sign-in">[] {
  return (Object.keys(PAGES) as Exclude<PageId, "sign-in">[]).filter((page) =>
    PAGES[page].roles.includes(role),
  );
}

/** Where a role lands after signing in: supervisors on Review, the queue one link away. */
export function homeOf(role: Role): Exclude<PageId, "sign-in"> {
  if (role === "customer") return "requests";
  return role === "supervisor" ? "review" : "queue";
}

export function pageFromHash(hash: string): PageId | null {
  const name = hash.replace(/^#\/?/, "");
  return name === "sign-in" || name in PAGES ? (name as PageId) : null;
}

export interface Router {
  readonly page: ReadonlySignal<PageId | null>;
  go(page: PageId): void;
}

/** Pages live in the URL's hash, so any static host serves every page from index.html. */
export function createRouter(target: Window = window): Router {
  const page = signal(pageFromHash(target.location.hash));
  target.addEventListener("hashchange", () => {
    page.value = pageFromHash(target.location.hash);
  });
  return {
    page,
    go(next) {
      if (pageFromHash(target.location.hash) !== next) {
        target.location.hash = `#/${next}`;
      }
      page.value = next;
    },
  };
}
