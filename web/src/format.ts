import type { Label, SupportLevel, TaskStatus } from "./api/client";

export const STATUS_TEXT: Record<TaskStatus, string> = {
  open: "Open",
  in_progress: "In progress",
  resolved: "Resolved",
};

export const LEVEL_TEXT: Record<SupportLevel, string> = {
  escalate: "Escalate",
  priority: "Priority",
  standard: "Standard",
};

export const LABEL_TEXT: Record<Label, string> = {
  negative: "Negative",
  neutral: "Neutral",
  positive: "Positive",
};

/** Where a task may go from each status (the API refuses the others). */
export const NEXT_STATUSES: Record<TaskStatus, readonly TaskStatus[]> = {
  open: ["open", "in_progress", "resolved"],
  in_progress: ["in_progress", "open", "resolved"],
  resolved: ["resolved", "open"],
};

export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function dateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : DATE_TIME.format(date);
}

/** The first `length` characters of `text`, cut at a word where possible. */
export function snippet(text: string, length = 120): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= length) {
    return flat;
  }
  const cut = flat.slice(0, length);
  const space = cut.lastIndexOf(" ");
  return `${(space > length * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
