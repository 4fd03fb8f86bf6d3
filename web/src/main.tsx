import { render } from "preact";

import { createApi } from "./api/client";
import { App } from "./App";
import { createSession } from "./auth/session";
import { ConfigError, loadConfig } from "./config";
import { createRouter } from "./router";
import "./styles.css";

function BootError({ message }: { message: string }) {
  return (
    <main id="main" class="boot-error">
      <h1>carescore cannot start</h1>
      <p role="alert">{message}</p>
      <p>Reload the page in a moment; if it persists, tell the team that runs carescore.</p>
    </main>
  );
}

async function boot(root: HTMLElement): Promise<void> {
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : "the settings could not be read";
    render(<BootError message={`The portal's settings are not available: ${message}.`} />, root);
    return;
  }
  const session = createSession(config);
  await session.restore();
  const api = createApi({
    baseUrl: config.apiBaseUrl,
    accessToken: () => session.accessToken(),
    onUnauthenticated: () => session.expire(),
  });
  render(<App services={{ api, session, router: createRouter() }} />, root);
}

const root = document.getElementById("app");
if (root) {
  root.textContent = ""; // the "Loading" line shown until the script runs
  void boot(root);
}
