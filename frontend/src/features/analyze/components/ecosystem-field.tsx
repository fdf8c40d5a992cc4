import { ECOSYSTEMS } from '../../../domain/purl';

interface EcosystemFieldProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
}

/** The ecosystem choice of the package and archive forms. */
export function EcosystemField({ id, value, onChange }: EcosystemFieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>Ecosystem</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {ECOSYSTEMS.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </div>
  );
}
