import { STAFF_CATEGORIES } from "../../catalog";
import { LABEL_TEXT, LEVEL_TEXT, STATUS_TEXT } from "../../format";
import type { QueueFilters, QueueStore } from "./store";

interface SelectProps {
  id: string;
  label: string;
  value: string;
  any: string;
  options: readonly { value: string; label: string }[];
  onChange: (value: string) => void;
}

function FilterSelect({ id, label, value, any, options, onChange }: SelectProps) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{any}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function choices(texts: Record<string, string>) {
  return Object.entries(texts).map(([value, label]) => ({ value, label }));
}

export function Filters({ store }: { store: QueueStore }) {
  const filters = store.filters.value;
  const set = <K extends keyof QueueFilters>(key: K) => (value: string) =>
    void store.setFilter(key, value as QueueFilters[K]);

  return (
    <form class="filters" aria-label="Filter the queue" onSubmit={(e) => e.preventDefault()}>
      <FilterSelect
        id="filter-status"
        label="Status"
        value={filters.status}
        any="Any status"
        options={choices(STATUS_TEXT)}
        onChange={set("status")}
      />
      <FilterSelect
        id="filter-level"
        label="Support level"
        value={filters.supportLevel}
        any="Any level"
        options={choices(LEVEL_TEXT)}
        onChange={set("supportLevel")}
      />
      <FilterSelect
        id="filter-label"
        label="Sentiment"
        value={filters.label}
        any="Any sentiment"
        options={choices(LABEL_TEXT)}
        onChange={set("label")}
      />
      <FilterSelect
        id="filter-category"
        label="Category"
        value={filters.category}
        any="Any category"
        options={STAFF_CATEGORIES}
        onChange={set("category")}
      />
      <button type="button" class="quiet" onClick={() => void store.resetFilters()}>
        Reset filters
      </button>
    </form>
  );
}
