import type { Task } from "../../api/client";
import { categoryLabel } from "../../catalog";
import { LabelText, LevelBadge, StatusBadge } from "../../components/Badges";
import { dateTime, percent, snippet } from "../../format";

function TopTerms({ task }: { task: Task }) {
  const terms = task.decision.top_terms.slice(0, 3);
  if (terms.length === 0) return <span class="meta">none</span>;
  return (
    <ul class="terms" aria-label="Top terms">
      {terms.map((term) => (
        <li key={term.term}>{term.term}</li>
      ))}
    </ul>
  );
}

interface QueueTableProps {
  tasks: Task[];
  onOpen: (task: Task) => void;
}

export function QueueTable({ tasks, onOpen }: QueueTableProps) {
  return (
    <table class="queue">
      <caption class="visually-hidden">Requests, most urgent first</caption>
      <thead>
        <tr>
          <th scope="col">Level</th>
          <th scope="col">Request</th>
          <th scope="col">Sentiment</th>
          <th scope="col">Top terms</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span class="visually-hidden">Action</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((task) => (
          <tr key={task.id}>
            <td>
              <LevelBadge level={task.decision.support_level} />
            </td>
            <td class="request-cell">
              <p class="request-text">{snippet(task.text)}</p>
              <p class="meta">
                {categoryLabel(task.category)}
                {task.product ? ` · ${task.product}` : ""} · {dateTime(task.created_at)}
              </p>
            </td>
            <td>
              <LabelText label={task.decision.label} />
              <p class="meta">{percent(task.decision.confidence)} confidence</p>
            </td>
            <td>
              <TopTerms task={task} />
            </td>
            <td>
              <StatusBadge status={task.status} />
              {task.assignee ? <p class="meta">{task.assignee}</p> : null}
            </td>
            <td>
              <button
                type="button"
                aria-label={`Open request: ${snippet(task.text, 60)}`}
                onClick={() => onOpen(task)}
              >
                Open
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
