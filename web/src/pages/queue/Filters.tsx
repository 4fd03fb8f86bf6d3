import { STAFF_CATEGORIES } from "../../catalog";
import { SelectField } from "../../components/SelectField";
import { LABEL_TEXT, LEVEL_TEXT, STATUS_TEXT } from "../../format";
import type { QueueFilters, QueueStore } from "./store";

function choices(texts: Record<string, string>) {
  return Object.entries(texts).map(([value, label]) => ({ value, label }));
}

export function Filters({ store }: { store: QueueStore }) {
  const filters = store.filters.value;
  const set = <K extends keyof QueueFilters>(key: K) => (value: string) =>
    void store.setFilter(key, value as QueueFilters[K]);

  return (
    <form class="filters" aria-label="Filter the queue" onSubmit={(e) => e.preventDefault()}>
      <SelectField
        id="filter-status"
        label="Status"
        value={filters.status}
        none="Any status"
        options={choices(STATUS_TEXT)}
        onChange={set("status")}
      />
      <SelectField
        id="filter-level"
        label="Support level"
        value={filters.supportLevel}
        none="Any level"
        options={choices(LEVEL_TEXT)}
        onChange={set("supportLevel")}
      />
      <SelectField
        id="filter-label"
        label="Sentiment"
        value={filters.label}
        none="Any sentiment"
        options={choices(LABEL_TEXT)}
        onChange={set("label")}
      />
      <SelectField
        id="filter-category"
        label="Category"
        value={filters.category}
        none="Any category"
        options={STAFF_CATEGORIES}
        onChange={set("category")}
      />
      <button type="button" class="quiet" onClick={() => void store.resetFilters()}>
        Reset filters
      </button>
    </form>
  );
}
