import { computed, signal } from "@preact/signals";

import { type Api, ApiError, asApiError, type Task } from "../../api/client";
import type {
  AccountAtRisk,
  AtRiskRule,
  CategoryTrends,
  FollowUp,
  FollowUpState,
  NewFollowUp,
  TrendSummary,
} from "../../api/trends";
import { openingPeriod, type Period } from "./period";

/** The category the chart opens on: the one with the most requests in the range. */
export function busiestCategory(trends: CategoryTrends): string | null {
  let best: { name: string; total: number } | null = null;
  for (const category of trends.categories) {
    const total = category.periods.reduce((sum, period) => sum + period.total, 0);
    if (!best || total > best.total) best = { name: category.category, total };
  }
  return best?.name ?? null;
}

/** Category reputation and the period's best and worst, for the chosen period and product. */
export function createTrendsStore(api: Api, now: () => Date = () => new Date()) {
  const period = signal<Period | null>(null);
  const product = signal("");
  const trends = signal<CategoryTrends | null>(null);
  const summary = signal<TrendSummary | null>(null);
  const loading = signal(false);
  const error = signal<ApiError | null>(null);
  const chosenCategory = signal<string | null>(null);
  let request = 0;
  let summaryRange = ""; // the from/to `summary` holds: it does not depend on the product

  /** The category charted: the one chosen while it has figures, else the busiest. */
  const category = computed(() => {
    const current = trends.value;
    if (!current) return null;
    const chosen = chosenCategory.value;
    if (chosen && current.categories.some((item) => item.category === chosen)) return chosen;
    return busiestCategory(current);
  });
  const series = computed(
    () => trends.value?.categories.find((item) => item.category === category.value) ?? null,
  );

  async function load(): Promise<void> {
    const range = period.value;
    if (!range) return;
    const days = `${range.from}/${range.to}`;
    const mine = ++request;
    loading.value = true;
    error.value = null;
    try {
      const [categories, best] = await Promise.all([
        api.categoryTrends({
          from: range.from,
          to: range.to,
          granularity: range.granularity,
          ...(product.value ? { product: product.value } : {}),
        }),
        days === summaryRange
          ? Promise.resolve(summary.value)
          : api.trendSummary(range.from, range.to),
      ]);
      if (mine !== request) return; // a newer period or product won
      trends.value = categories;
      summary.value = best;
      summaryRange = days;
    } catch (failure) {
      if (mine === request) error.value = asApiError(failure);
    } finally {
      if (mine === request) loading.value = false;
    }
  }

  /** Opens on the weeks up to the latest request, then loads them. */
  async function start(): Promise<void> {
    loading.value = true;
    let latest: string | null = null;
    try {
      const newest = await api.listTasks({ order: "newest", limit: 1 });
      latest = newest.items[0]?.created_at ?? null;
    } catch {
      // Without the latest request the page opens on the weeks up to today.
    }
    period.value = openingPeriod(latest, now());
    await load();
  }

  async function setPeriod(next: Period): Promise<void> {
    period.value = next;
    await load();
  }

  async function setProduct(next: string): Promise<void> {
    product.value = next;
    await load();
  }

  function chooseCategory(next: string): void {
    chosenCategory.value = next;
  }

  return {
    period,
    product,
    trends,
    summary,
    loading,
    error,
    category,
    series,
    start,
    reload: () => load(),
    setPeriod,
    setProduct,
    chooseCategory,
  };
}

export type TrendsStore = ReturnType<typeof createTrendsStore>;

/** Accounts at risk, most severe first (the API's order), a page at a time, and the rule. */
export function createAtRiskStore(api: Api) {
  const items = signal<AccountAtRisk[]>([]);
  const rule = signal<AtRiskRule | null>(null);
  const nextCursor = signal<string | null>(null);
  const loading = signal(false);
  const loaded = signal(false);
  const error = signal<ApiError | null>(null);
  let request = 0;

  async function fetchPage(cursor: string | null): Promise<void> {
    const mine = ++request;
    loading.value = true;
    error.value = null;
    try {
      const [page, current] = await Promise.all([
        api.accountsAtRisk(cursor),
        cursor ? Promise.resolve(rule.value) : api.atRiskRule(),
      ]);
      if (mine !== request) return;
      items.value = cursor ? [...items.value, ...page.items] : page.items;
      nextCursor.value = page.next_cursor ?? null;
      rule.value = current;
      loaded.value = true;
    } catch (failure) {
      if (mine === request) error.value = asApiError(failure);
    } finally {
      if (mine === request) loading.value = false;
    }
  }

  return {
    items,
    rule,
    nextCursor,
    loading,
    loaded,
    error,
    reload: () => fetchPage(null),
    more: () => (nextCursor.value ? fetchPage(nextCursor.value) : Promise.resolve()),
  };
}

export type AtRiskStore = ReturnType<typeof createAtRiskStore>;

/** Where a follow-up may move from each state (the API refuses the others). */
export const NEXT_FOLLOW_UP_STATES: Record<FollowUpState, readonly FollowUpState[]> = {
  open: ["contacted", "resolved"],
  contacted: ["resolved"],
  resolved: [],
};

/** Newest first by creation; the API lists them in no promised order. */
function newestFirst(followUps: FollowUp[]): FollowUp[] {
  return [...followUps].sort((a, b) => b.created_at.localeCompare(a.created_at));
}

/** One account's timeline: its requests (a page at a time), risk and follow-ups. */
export function createAccountStore(api: Api, accountId: string) {
  const tasks = signal<Task[]>([]);
  const followUps = signal<FollowUp[]>([]);
  const risk = signal<AccountAtRisk | null>(null);
  const nextCursor = signal<string | null>(null);
  const loading = signal(false);
  const loaded = signal(false);
  const error = signal<ApiError | null>(null);
  const saving = signal(false);
  const saveError = signal<ApiError | null>(null);
  const announcement = signal("");

  async function fetchPage(cursor: string | null): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      const timeline = await api.accountTimeline(accountId, cursor);
      tasks.value = cursor ? [...tasks.value, ...timeline.tasks] : timeline.tasks;
      nextCursor.value = timeline.next_cursor ?? null;
      if (!cursor) {
        followUps.value = newestFirst(timeline.follow_ups);
        risk.value = timeline.risk ?? null;
      }
      loaded.value = true;
    } catch (failure) {
      error.value = asApiError(failure);
    } finally {
      loading.value = false;
    }
  }

  async function save(send: () => Promise<FollowUp>, said: (saved: FollowUp) => string) {
    if (saving.value) return false;
    saving.value = true;
    saveError.value = null;
    try {
      const saved = await send();
      const others = followUps.value.filter((item) => item.id !== saved.id);
      followUps.value = newestFirst([saved, ...others]);
      announcement.value = said(saved);
      return true;
    } catch (failure) {
      saveError.value = asApiError(failure);
      return false;
    } finally {
      saving.value = false;
    }
  }

  return {
    accountId,
    tasks,
    followUps,
    risk,
    nextCursor,
    loading,
    loaded,
    error,
    saving,
    saveError,
    announcement,
    load: () => fetchPage(null),
    more: () => (nextCursor.value ? fetchPage(nextCursor.value) : Promise.resolve()),
    /** Opens a follow-up; true when recorded. */
    create: (draft: NewFollowUp) =>
      save(
        () => api.createFollowUp(accountId, draft),
        (saved) => `Follow-up recorded for ${saved.owner}, due ${saved.due_date}.`,
      ),
    /** Moves a follow-up on (open → contacted → resolved); true when saved. */
    advance: (followUp: FollowUp, state: FollowUpState) =>
      save(
        () => api.updateFollowUp(accountId, followUp.id, { state }),
        (saved) => `The follow-up is now ${saved.state}.`,
      ),
  };
}

export type AccountStore = ReturnType<typeof createAccountStore>;
