import type { ModelComparison } from "../../api/client";
import { ConfusionMatrix, figure, matrixOf, signed } from "../../components/Figures";
import { ErrorNotice } from "../../components/Notices";
import { LABEL_TEXT } from "../../format";
import type { RegistryStore } from "./registry";

/** Two versions side by side on the same test data. */
export function Compare({ store }: { store: RegistryStore }) {
  const versions = store.list.value?.items ?? [];
  if (!store.list.value) {
    return (
      <section aria-labelledby="compare-heading" class="card" id="compare">
        <h2 id="compare-heading">Compare versions</h2>
        <p class="meta">
          {store.error.value
            ? "Versions can be compared once the registry can be read."
            : "Waiting for the registry…"}
        </p>
      </section>
    );
  }
  if (versions.length < 2) {
    return (
      <section aria-labelledby="compare-heading" class="card" id="compare">
        <h2 id="compare-heading">Compare versions</h2>
        <p class="notice empty">Comparing needs two versions: train one from a dataset below.</p>
      </section>
    );
  }
  const options = versions.map((item) => (
    <option key={item.version} value={item.version}>
      {item.version} ({item.status})
    </option>
  ));
  return (
    <section aria-labelledby="compare-heading" class="card" id="compare">
      <h2 id="compare-heading">Compare versions</h2>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void store.compare();
        }}
      >
        <div class="field">
          <label for="compare-a">Version A</label>
          <select
            id="compare-a"
            value={store.compareA.value}
            onChange={(event) => (store.compareA.value = event.currentTarget.value)}
          >
            {options}
          </select>
        </div>
        <div class="field">
          <label for="compare-b">Version B</label>
          <select
            id="compare-b"
            value={store.compareB.value}
            onChange={(event) => (store.compareB.value = event.currentTarget.value)}
          >
            {options}
          </select>
        </div>
        <button type="submit" class="primary" disabled={store.comparing.value}>
          {store.comparing.value ? "Comparing…" : "Compare"}
        </button>
      </form>
      {store.compareError.value ? <ErrorNotice error={store.compareError.value} /> : null}
      {store.comparison.value ? <ComparisonView comparison={store.comparison.value} /> : null}
    </section>
  );
}

const HEADLINES = [
  ["accuracy", "Accuracy"],
  ["macro_f1", "Macro F1"],
] as const;

type PerClass = Record<string, Record<string, number>>;

function ComparisonView({ comparison }: { comparison: ModelComparison }) {
  const { a, b, metrics_a: ma, metrics_b: mb, differences } = comparison;
  const classesA = (ma["per_class"] ?? {}) as PerClass;
  const classesB = (mb["per_class"] ?? {}) as PerClass;
  const classDiff = (differences["per_class"] ?? {}) as PerClass;
  const matrixA = matrixOf(ma);
  const matrixB = matrixOf(mb);
  return (
    <div class="comparison" data-testid="comparison">
      <p>
        Both scored on the test split of <span class="mono">{comparison.test_split_of}</span>{" "}
        (dataset <span class="mono">{comparison.dataset_id}</span>, {comparison.rows} rows). They
        label <strong>{comparison.disagreements}</strong> of those texts differently.
      </p>
      <table class="figures">
        <caption>
          Figures of A (<span class="mono">{a}</span>) and B (<span class="mono">{b}</span>), and
          B minus A
        </caption>
        <thead>
          <tr>
            <th scope="col">Figure</th>
            <th scope="col" class="num">
              A
            </th>
            <th scope="col" class="num">
              B
            </th>
            <th scope="col" class="num">
              B − A
            </th>
          </tr>
        </thead>
        <tbody>
          {HEADLINES.map(([key, name]) => (
            <tr key={key}>
              <th scope="row">{name}</th>
              <td class="num">{figure(ma[key])}</td>
              <td class="num">{figure(mb[key])}</td>
              <td class={`num ${deltaClass(differences[key])}`}>{signed(differences[key])}</td>
            </tr>
          ))}
          {Object.keys(classesA).flatMap((label) =>
            (["precision", "recall", "f1"] as const).map((name) => (
              <tr key={`${label}-${name}`}>
                <th scope="row">
                  {LABEL_TEXT[label as keyof typeof LABEL_TEXT] ?? label}{" "}
                  {name === "f1" ? "F1" : name}
                </th>
                <td class="num">{figure(classesA[label]?.[name])}</td>
                <td class="num">{figure(classesB[label]?.[name])}</td>
                <td class={`num ${deltaClass(classDiff[label]?.[name])}`}>
                  {signed(classDiff[label]?.[name])}
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
      <div class="matrices">
        {matrixA ? <ConfusionMatrix matrix={matrixA} caption={`Confusion matrix of A (${a})`} /> : null}
        {matrixB ? <ConfusionMatrix matrix={matrixB} caption={`Confusion matrix of B (${b})`} /> : null}
      </div>
      {comparison.sample.length > 0 ? (
        <table class="figures disagreements">
          <caption>Texts they label differently (a sample)</caption>
          <thead>
            <tr>
              <th scope="col">Text</th>
              <th scope="col">Label in the data</th>
              <th scope="col">A says</th>
              <th scope="col">B says</th>
            </tr>
          </thead>
          <tbody>
            {comparison.sample.map((row, index) => (
              <tr key={index}>
                <td>{row.text}</td>
                <td>{LABEL_TEXT[row.label]}</td>
                <td class={row.a === row.label ? "right" : "wrong"}>{LABEL_TEXT[row.a]}</td>
                <td class={row.b === row.label ? "right" : "wrong"}>{LABEL_TEXT[row.b]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function deltaClass(value: unknown): string {
  if (typeof value !== "number" || Math.abs(value) < 0.0005) return "";
  return value > 0 ? "better" : "worse";
}
