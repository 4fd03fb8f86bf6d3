import type { Choice } from "../catalog";

interface SelectFieldProps {
  id: string;
  label: string;
  value: string;
  /** The first option, whose value is "": "Any category", "Choose a topic"… */
  none: string;
  options: readonly Choice[];
  onChange: (value: string) => void;
}

/** A labelled select of `options` after a first, empty choice. */
export function SelectField({ id, label, value, none, options, onChange }: SelectFieldProps) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{none}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
