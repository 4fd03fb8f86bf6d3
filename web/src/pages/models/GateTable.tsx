import type { GateResult } from "../../api/client";

/** The gate's checks of a candidate, each with its result and detail. */
export function GateTable({ gate }: { gate: GateResult }) {
  return (
    <table class="figures gate">
      <caption>
        Gate: {gate.passed ? "passed" : "failed"}
        {gate.passed ? "" : ` (${gate.reasons.length} reasons)`}
      </caption>
      <thead>
        <tr>
          <th scope="col">Check</th>
          <th scope="col">Result</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {gate.checks.map((check) => (
          <tr key={check.name}>
            <th scope="row">{check.name.replace(/_/g, " ")}</th>
            <td>{check.passed ? "Passed" : <strong class="failed">Failed</strong>}</td>
            <td>{check.detail}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
