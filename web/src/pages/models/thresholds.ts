import { computed, signal } from "@preact/signals";

import {
  type Api,
  ApiError,
  asApiError,
  type SupportLevels,
  type SupportLevelsPreview,
} from "../../api/client";

/** A date input's value (YYYY-MM-DD) `days` before `now`, in the person's time zone. */
export function dateBefore(now: Date, days: number): string {
  const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() - days);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/** The period [from's first moment, to's last moment] in the person's time zone, as RFC 3339. */
export function periodOf(from: string, to: string): { created_from: string; created_to: string } {
  const [fy, fm, fd] = from.split("-").map(Number);
  const [ty, tm, td] = to.split("-").map(Number);
  const start = new Date(fy ?? 0, (fm ?? 1) - 1, fd ?? 1, 0, 0, 0, 0);
  const end = new Date(ty ?? 0, (tm ?? 1) - 1, td ?? 1, 23, 59, 59, 999);
  return { created_from: start.toISOString(), created_to: end.toISOString() };
}

/** Why proposed thresholds cannot be used, or null; both are probabilities of "negative". */
export function thresholdProblem(escalate: string, priority: string): string | null {
  const e = Number(escalate);
  const p = Number(priority);
  if (escalate.trim() === "" || priority.trim() === "") return "Give both thresholds.";
  if (!Number.isFinite(e) || !Number.isFinite(p)) return "Thresholds are numbers from 0 to 1.";
  if (e < 0 || e > 1 || p < 0 || p > 1) return "Thresholds are numbers from 0 to 1.";
  if (p > e) return "The priority threshold must not be above the escalate threshold.";
  return null;
}

/** The support-level thresholds: those in force, a proposal with its preview, and saving it
 * against the version it was read at (If-Match). */
export function createThresholdsStore(api: Api, now: () => Date = () => new Date()) {
  const current = signal<SupportLevels | null>(null);
  const loadError = signal<ApiError | null>(null);
  const escalate = signal("");
  const priority = signal("");
  const from = signal(dateBefore(now(), 30));
  const to = signal(dateBefore(now(), 0));
  const reason = signal("");
  const preview = signal<SupportLevelsPreview | null>(null);
  const previewing = signal(false);
  const previewError = signal<ApiError | null>(null);
  const saving = signal(false);
  const saveError = signal<ApiError | null>(null);
  const notice = signal("");

  const problem = computed(() => thresholdProblem(escalate.value, priority.value));
  const changed = computed(
    () =>
      current.value !== null &&
      (Number(escalate.value) !== current.value.escalate_negative_min ||
        Number(priority.value) !== current.value.priority_negative_min),
  );

  function adopt(levels: SupportLevels): void {
    current.value = levels;
    escalate.value = String(levels.escalate_negative_min);
    priority.value = String(levels.priority_negative_min);
  }

  async function load(): Promise<void> {
    loadError.value = null;
    try {
      adopt(await api.getSupportLevels());
    } catch (failure) {
      loadError.value = asApiError(failure);
    }
  }

  function edit(field: "escalate" | "priority", value: string): void {
    (field === "escalate" ? escalate : priority).value = value;
    preview.value = null; // a preview describes the numbers it was made for
    notice.value = "";
  }

  async function runPreview(): Promise<void> {
    previewError.value = null;
    if (problem.value) {
      previewError.value = new ApiError("invalid", problem.value);
      return;
    }
    if (!from.value || !to.value || from.value > to.value) {
      previewError.value = new ApiError("invalid", "The period must start on or before its end.");
      return;
    }
    previewing.value = true;
    try {
      preview.value = await api.previewSupportLevels({
        escalate_negative_min: Number(escalate.value),
        priority_negative_min: Number(priority.value),
        ...periodOf(from.value, to.value),
      });
    } catch (failure) {
      preview.value = null;
      previewError.value = asApiError(failure);
    } finally {
      previewing.value = false;
    }
  }

  async function save(): Promise<boolean> {
    const levels = current.value;
    saveError.value = null;
    if (!levels || saving.value) return false;
    if (problem.value) {
      saveError.value = new ApiError("invalid", problem.value);
      return false;
    }
    if (!reason.value.trim()) {
      saveError.value = new ApiError("invalid", "Write why the thresholds change: it is recorded.");
      return false;
    }
    saving.value = true;
    try {
      const saved = await api.putSupportLevels(levels.version, {
        escalate_negative_min: Number(escalate.value),
        priority_negative_min: Number(priority.value),
        reason: reason.value.trim(),
      });
      adopt(saved);
      reason.value = "";
      preview.value = null;
      notice.value = `Saved as version ${saved.version}. New decisions use these thresholds within a minute.`;
      return true;
    } catch (failure) {
      const refused = asApiError(failure);
      if (refused.status === 412) {
        saveError.value = new ApiError(
          "conflict",
          "Someone changed the thresholds meanwhile. The ones in force now are shown: check them and save again.",
          412,
        );
        const proposed = { escalate: escalate.value, priority: priority.value };
        await load();
        escalate.value = proposed.escalate;
        priority.value = proposed.priority;
      } else {
        saveError.value = refused;
      }
      return false;
    } finally {
      saving.value = false;
    }
  }

  return {
    current,
    loadError,
    escalate,
    priority,
    from,
    to,
    reason,
    preview,
    previewing,
    previewError,
    saving,
    saveError,
    notice,
    problem,
    changed,
    load,
    edit,
    runPreview,
    save,
  };
}

export type ThresholdsStore = ReturnType<typeof createThresholdsStore>;
