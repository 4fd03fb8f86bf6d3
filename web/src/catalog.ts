/**
 * Categories and products people choose from. The API accepts any short text for both; these
 * are the ones the demo data (airline customer service) uses, so filters and trends group
 * them. Values are stored as they are; labels are what people read.
 */
export interface Choice {
  value: string;
  label: string;
}

export const CATEGORIES: readonly Choice[] = [
  { value: "Late Flight", label: "Late flight" },
  { value: "Cancelled Flight", label: "Cancelled flight" },
  { value: "Lost Luggage", label: "Lost luggage" },
  { value: "Damaged Luggage", label: "Damaged luggage" },
  { value: "Flight Booking Problems", label: "Booking problem" },
  { value: "Customer Service Issue", label: "Customer service" },
  { value: "Flight Attendant Complaints", label: "Cabin crew" },
  { value: "Bad Flight", label: "Bad flight" },
  { value: "longlines", label: "Long lines" },
  { value: "general", label: "Something else" },
];

/** Categories only staff filter by: the demo data's "can't tell". */
export const STAFF_CATEGORIES: readonly Choice[] = [
  ...CATEGORIES,
  { value: "Can't Tell", label: "Unclear" },
];

export const PRODUCTS: readonly Choice[] = [
  "American",
  "Delta",
  "Southwest",
  "United",
  "US Airways",
  "Virgin America",
].map((name) => ({ value: name, label: name }));

export function categoryLabel(value: string): string {
  return STAFF_CATEGORIES.find((choice) => choice.value === value)?.label ?? value;
}
