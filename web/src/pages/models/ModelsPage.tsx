import { useEffect, useMemo } from "preact/hooks";

import { useServices } from "../../context";
import { Compare } from "./Compare";
import { Registry } from "./Registry";
import { createRegistryStore } from "./registry";
import { Thresholds } from "./Thresholds";
import { createThresholdsStore } from "./thresholds";
import { RunList, RunView, UploadForm } from "./Training";
import { createTrainingStore } from "./training";

/** Supervisors' models page: the registry, comparisons, training from uploaded data and
 * the support-level thresholds. */
export function ModelsPage() {
  const { api } = useServices();
  const registry = useMemo(() => createRegistryStore(api), [api]);
  const training = useMemo(
    () => createTrainingStore(api, () => void registry.load()),
    [api, registry],
  );
  const thresholds = useMemo(() => createThresholdsStore(api), [api]);
  useEffect(() => {
    void registry.load();
    void training.loadRuns();
    void thresholds.load();
    return () => training.dispose();
  }, [registry, training, thresholds]);

  return (
    <div class="models-page">
      <h1>Models</h1>
      <nav aria-label="On this page" class="in-page">
        <a href="#registry" onClick={jump("registry")}>
          Registry
        </a>
        <a href="#compare" onClick={jump("compare")}>
          Compare
        </a>
        <a href="#training" onClick={jump("training")}>
          Train
        </a>
        <a href="#thresholds" onClick={jump("thresholds")}>
          Support levels
        </a>
      </nav>
      <Registry store={registry} />
      <Compare store={registry} />
      <section aria-labelledby="training-heading" class="card" id="training">
        <h2 id="training-heading">Train a new version</h2>
        <div class="training-columns">
          <UploadForm store={training} />
          <div>
            <RunView store={training} />
            <h3>Recent runs</h3>
            <RunList store={training} />
          </div>
        </div>
      </section>
      <Thresholds store={thresholds} />
    </div>
  );
}

// Pages live in the hash, so in-page links move focus and scroll instead of changing it.
function jump(id: string) {
  return (event: MouseEvent) => {
    event.preventDefault();
    const target = document.getElementById(id);
    if (!target) return;
    target.setAttribute("tabindex", "-1");
    target.focus();
    target.scrollIntoView({ block: "start" });
  };
}
