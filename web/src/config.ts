/** The portal's runtime settings, served as /config.json beside the built files. */
export interface PortalConfig {
  /** Where the API lives; a relative value ("/") means the portal's own origin. */
  apiBaseUrl: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  /** Set only where the user pool is not Cognito's own endpoint (the local stack). */
  userPoolEndpoint?: string;
}

export class ConfigError extends Error {}

const REQUIRED = ["apiBaseUrl", "region", "userPoolId", "userPoolClientId"] as const;

/** Checks the shape of a parsed config.json; throws ConfigError naming what is missing. */
export function parseConfig(value: unknown, origin: string): PortalConfig {
  if (typeof value !== "object" || value === null) {
    throw new ConfigError("config.json is not a JSON object");
  }
  const record = value as Record<string, unknown>;
  const missing = REQUIRED.filter((key) => typeof record[key] !== "string" || record[key] === "");
  if (missing.length > 0) {
    throw new ConfigError(`config.json lacks ${missing.join(", ")}`);
  }
  const endpoint = record["userPoolEndpoint"];
  const config: PortalConfig = {
    apiBaseUrl: new URL(record["apiBaseUrl"] as string, origin).href.replace(/\/$/, ""),
    region: record["region"] as string,
    userPoolId: record["userPoolId"] as string,
    userPoolClientId: record["userPoolClientId"] as string,
  };
  if (typeof endpoint === "string" && endpoint !== "") {
    config.userPoolEndpoint = endpoint;
  }
  return config;
}

/** Fetches and checks /config.json. Throws ConfigError when it is missing or malformed. */
export async function loadConfig(origin: string = window.location.origin): Promise<PortalConfig> {
  let response: Response;
  try {
    response = await fetch(new URL("/config.json", origin), { cache: "no-store" });
  } catch {
    throw new ConfigError("the portal's settings (config.json) could not be reached");
  }
  if (!response.ok) {
    throw new ConfigError(`config.json answered ${response.status}`);
  }
  return parseConfig(await response.json().catch(() => null), origin);
}
