import { createContext } from "preact";
import { useContext } from "preact/hooks";

import type { Api } from "./api/client";
import type { Session } from "./auth/session";
import type { Router } from "./router";

/** What every page needs, made once at start and handed down (no module-level state). */
export interface Services {
  api: Api;
  session: Session;
  router: Router;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) {
    throw new Error("useServices outside ServicesContext");
  }
  return services;
}
