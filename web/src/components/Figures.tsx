import type { ComponentChildren } from "preact";

import { LABEL_TEXT } from "../format";

/** A figure from 0 to 1 with three decimals; a dash when there is none. */
export function figure(value: unknown): string {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(3) : "–";
}

/** A difference with its sign (+0.012, −0.004, ±0.000). */
export function signed(value: unknown): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "–";
  if (Math.abs(value) < 0.0005) return "±0.000";
  return `${value > 0 ? "+" : "−"}${Math.abs(value).toFixed(3)}`;
}

function labelText(label: string): string {
  return LABEL_TEXT[label as keyof typeof LABEL_TEXT] ?? label;
}

export interface Matrix {
  labels: string[];
  rows: number[][];
}

/** A confusion matrix from a model card's metrics, when it has one. */
export function matrixOf(metrics: unknown): Matrix | null {
  const found = (metrics as { confusion_matrix?: unknown } | null)?.confusion_matrix as
    | { labels?: unknown; rows_true_columns_predicted?: unknown }
    | undefined;
  if (!found || !Array.isArray(found.labels) || !Array.isArray(found.rows_true_columns_predicted)) {
    return null;
  }
  return {
    labels: found.labels.map(String),
    rows: found.rows_true_columns_predicted.map((row) =>
      Array.isArray(row) ? row.map((cell) => Number(cell) || 0) : [],
    ),
  };
}

/** The confusion matrix as a table whose cells are shaded by their share of the row: the
 * table is the chart, so screen readers and tests read the same figures. */
export function ConfusionMatrix({ matrix, caption }: { matrix: Matrix; caption: ComponentChildren }) {
  return (
    <div class="scroll-x">
    <table class="matrix">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Actual \ Predicted</th>
          {matrix.labels.map((label) => (
            <th scope="col" key={label}>
              {labelText(label)}
            </th>
          ))}
          <th scope="col">Total</th>
        </tr>
      </thead>
      <tbody>
        {matrix.rows.map((row, index) => {
          const total = row.reduce((sum, cell) => sum + cell, 0);
          const label = matrix.labels[index] ?? String(index);
          return (
            <tr key={label}>
              <th scope="row">{labelText(label)}</th>
              {row.map((cell, column) => {
                const share = total ? cell / total : 0;
                return (
                  <td
                    key={matrix.labels[column] ?? column}
                    class={column === index ? "num diagonal" : "num"}
                    style={{ "--share": share.toFixed(3) }}
                  >
                    {cell}
                  </td>
                );
              })}
              <td class="num total">{total}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
    </div>
  );
}

interface ClassFigures {
  precision?: number;
  recall?: number;
  f1?: number;
  support?: number;
}

/** Per-class precision, recall, F1 (and support) from a card's metrics. */
export function PerClassTable({ metrics, caption }: { metrics: unknown; caption: string }) {
  const perClass = (metrics as { per_class?: Record<string, ClassFigures> } | null)?.per_class;
  if (!perClass) return null;
  return (
    <table class="figures">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Class</th>
          <th scope="col">Precision</th>
          <th scope="col">Recall</th>
          <th scope="col">F1</th>
          <th scope="col">Support</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(perClass).map(([label, figures]) => (
          <tr key={label}>
            <th scope="row">{labelText(label)}</th>
            <td class="num">{figure(figures.precision)}</td>
            <td class="num">{figure(figures.recall)}</td>
            <td class="num">{figure(figures.f1)}</td>
            <td class="num">{figures.support ?? "–"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
