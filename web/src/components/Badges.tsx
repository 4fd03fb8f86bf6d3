import type { Label, SupportLevel, TaskStatus } from "../api/client";
import { LABEL_TEXT, LEVEL_TEXT, STATUS_TEXT } from "../format";

// Each badge says its meaning in words; colour only repeats it.

export function LevelBadge({ level }: { level: SupportLevel }) {
  return <span class={`badge level-${level}`}>{LEVEL_TEXT[level]}</span>;
}

export function StatusBadge({ status }: { status: TaskStatus }) {
  return <span class={`badge status-${status}`}>{STATUS_TEXT[status]}</span>;
}

export function LabelText({ label }: { label: Label }) {
  return <span class={`sentiment sentiment-${label}`}>{LABEL_TEXT[label]}</span>;
}
