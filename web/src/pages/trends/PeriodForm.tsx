import { useEffect, useState } from "preact/hooks";

import type { Granularity } from "../../api/trends";
import { PRODUCTS } from "../../catalog";
import type { Period } from "./period";

interface PeriodFormProps {
  period: Period;
  product: string;
  busy: boolean;
  onPeriod: (period: Period) => void;
  onProduct: (product: string) => void;
}

/** From and to (days, UTC), day or week, and the product: the dates apply when shown, the
 * choices at once. */
export function PeriodForm({ period, product, busy, onPeriod, onProduct }: PeriodFormProps) {
  const [from, setFrom] = useState(period.from);
  const [to, setTo] = useState(period.to);
  useEffect(() => {
    setFrom(period.from);
    setTo(period.to);
  }, [period.from, period.to]);

  function apply(granularity: Granularity = period.granularity) {
    if (from && to) onPeriod({ from, to, granularity });
  }

  return (
    <form
      class="filters period-form"
      aria-label="Period and product"
      onSubmit={(event) => {
        event.preventDefault();
        apply();
      }}
    >
      <div class="field">
        <label for="trend-from">From</label>
        <input
          id="trend-from"
          type="date"
          value={from}
          max={to}
          required
          onInput={(event) => setFrom(event.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="trend-to">To</label>
        <input
          id="trend-to"
          type="date"
          value={to}
          min={from}
          required
          onInput={(event) => setTo(event.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="trend-granularity">Per</label>
        <select
          id="trend-granularity"
          value={period.granularity}
          onChange={(event) => apply(event.currentTarget.value as Granularity)}
        >
          <option value="week">Week</option>
          <option value="day">Day</option>
        </select>
      </div>
      <div class="field">
        <label for="trend-product">Product</label>
        <select
          id="trend-product"
          value={product}
          onChange={(event) => onProduct(event.currentTarget.value)}
        >
          <option value="">All products</option>
          {PRODUCTS.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="primary" disabled={busy}>
        Show
      </button>
    </form>
  );
}
