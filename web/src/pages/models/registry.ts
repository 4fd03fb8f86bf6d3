import { computed, signal } from "@preact/signals";

import {
  type ActivePointer,
  type Api,
  ApiError,
  asApiError,
  type ModelComparison,
  type ModelDetail,
  type ModelList,
} from "../../api/client";

export type Move = { kind: "promote"; version: string } | { kind: "rollback"; version: string };

/** The registry: every version, the one being read, a comparison of two, and moves of the
 * active pointer (promote, roll back) with their reasons. */
export function createRegistryStore(api: Api) {
  const list = signal<ModelList | null>(null);
  const loading = signal(false);
  const error = signal<ApiError | null>(null);

  const selected = signal<string | null>(null);
  const detail = signal<ModelDetail | null>(null);
  const detailLoading = signal(false);
  const detailError = signal<ApiError | null>(null);
  // The active version's card: its latest activation names the version a rollback restores.
  const activeDetail = signal<ModelDetail | null>(null);

  const compareA = signal("");
  const compareB = signal("");
  const comparison = signal<ModelComparison | null>(null);
  const comparing = signal(false);
  const compareError = signal<ApiError | null>(null);

  const move = signal<Move | null>(null);
  const reason = signal("");
  const moving = signal(false);
  const moveError = signal<ApiError | null>(null);
  const notice = signal("");

  const active = computed(() => list.value?.active_version ?? null);
  /** The version a rollback would make active again, when the registry says which. */
  const rollbackTarget = computed(() => {
    const card = activeDetail.value;
    if (!card || card.version !== active.value) return null;
    const moves = card.activations.filter((entry) => entry.to_version === card.version);
    const latest = moves.reduce<(typeof moves)[number] | null>(
      (last, entry) => (last === null || entry.at > last.at ? entry : last),
      null,
    );
    return latest?.from_version ?? null;
  });

  let listCall = 0;
  let newestSeen: string | null = null;
  let detailCall = 0;

  async function loadActiveDetail(version: string | null): Promise<void> {
    if (!version) {
      activeDetail.value = null;
      return;
    }
    try {
      activeDetail.value = await api.getModel(version);
    } catch {
      activeDetail.value = null; // only the rollback button depends on it
    }
  }

  async function load(): Promise<void> {
    const mine = ++listCall;
    loading.value = true;
    error.value = null;
    try {
      const answer = await api.listModels();
      if (mine !== listCall) return;
      list.value = answer;
      const versions = answer.items.map((item) => item.version);
      // Unless a choice was made: the newest version (B) against the one it was trained
      // against (A), which is what training measured it on.
      // A new version (or a choice that no longer exists) resets the choice.
      const newest = answer.items[0]?.version ?? null;
      const stale = ![compareA.value, compareB.value].every((v) => versions.includes(v));
      if (newest !== newestSeen || stale) {
        newestSeen = newest;
        const parent = answer.items[0]?.lineage.parent_version;
        compareB.value = newest ?? "";
        compareA.value =
          parent && versions.includes(parent)
            ? parent
            : (versions.find((version) => version !== compareB.value) ?? "");
      }
      await loadActiveDetail(answer.active_version);
      if (selected.value && versions.includes(selected.value)) await select(selected.value);
    } catch (failure) {
      if (mine === listCall) error.value = asApiError(failure);
    } finally {
      if (mine === listCall) loading.value = false;
    }
  }

  async function select(version: string | null): Promise<void> {
    const mine = ++detailCall;
    selected.value = version;
    detailError.value = null;
    if (!version) {
      detail.value = null;
      return;
    }
    detailLoading.value = true;
    try {
      const answer = await api.getModel(version);
      if (mine === detailCall) detail.value = answer;
    } catch (failure) {
      if (mine === detailCall) detailError.value = asApiError(failure);
    } finally {
      if (mine === detailCall) detailLoading.value = false;
    }
  }

  async function compare(): Promise<void> {
    const a = compareA.value;
    const b = compareB.value;
    compareError.value = null;
    if (!a || !b || a === b) {
      comparison.value = null;
      compareError.value = new ApiError("invalid", "Choose two different versions to compare.");
      return;
    }
    comparing.value = true;
    try {
      comparison.value = await api.compareModels(a, b);
    } catch (failure) {
      comparison.value = null;
      compareError.value = asApiError(failure);
    } finally {
      comparing.value = false;
    }
  }

  function startMove(next: Move | null): void {
    move.value = next;
    reason.value = "";
    moveError.value = null;
    if (next) notice.value = "";
  }

  /** Carries out the move being written, with its reason; true when the pointer moved. */
  async function confirmMove(): Promise<boolean> {
    const planned = move.value;
    const why = reason.value.trim();
    if (!planned || moving.value) return false;
    if (why.length < 3) {
      moveError.value = new ApiError("invalid", "Write why (at least 3 characters): it is recorded.");
      return false;
    }
    moving.value = true;
    moveError.value = null;
    try {
      const pointer: ActivePointer =
        planned.kind === "promote"
          ? await api.promoteModel(planned.version, why)
          : await api.rollBackModel(why);
      const verb = planned.kind === "promote" ? "Promoted" : "Rolled back to";
      notice.value = `${verb} ${pointer.version}: it is the active model now (serving picks it up within a minute).`;
      move.value = null;
      reason.value = "";
      await load();
      return true;
    } catch (failure) {
      const problem = asApiError(failure);
      if (problem.code === "active_model_changed") {
        moveError.value = new ApiError(
          "conflict",
          "Another supervisor changed the active model meanwhile. The registry has been reloaded: check it and try again.",
          problem.status,
          problem.code,
        );
        await load();
      } else {
        moveError.value = problem;
      }
      return false;
    } finally {
      moving.value = false;
    }
  }

  return {
    list,
    loading,
    error,
    active,
    rollbackTarget,
    activeDetail,
    selected,
    detail,
    detailLoading,
    detailError,
    compareA,
    compareB,
    comparison,
    comparing,
    compareError,
    move,
    reason,
    moving,
    moveError,
    notice,
    load,
    select,
    compare,
    startMove,
    confirmMove,
  };
}

export type RegistryStore = ReturnType<typeof createRegistryStore>;
