import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

import { Loading } from "./Notices";

type Loader = () => Promise<ComponentType>;

/** A page whose code is fetched when it is first opened, so the roles that never open it
 * never download it; says so while it loads and when it cannot be fetched. */
export function LazyPage({ name, load }: { name: string; load: Loader }) {
  const [loaded, setLoaded] = useState<{ name: string; Page: ComponentType } | null>(null);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setFailed(false);
    load()
      .then((Page) => {
        if (live) setLoaded({ name, Page });
      })
      .catch(() => {
        if (live) setFailed(true);
      });
    return () => {
      live = false;
    };
  }, [name, load, attempt]);

  if (loaded?.name === name) return <loaded.Page />;
  if (failed) {
    return (
      <div class="notice error" role="alert">
        <p>This page could not be loaded. Check the connection and try again.</p>
        <button type="button" onClick={() => setAttempt((n) => n + 1)}>
          Try again
        </button>
      </div>
    );
  }
  return <Loading what="Loading the page…" />;
}
