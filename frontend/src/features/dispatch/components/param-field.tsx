import type { FieldSpec, FieldValue } from '../../../lib/task-fields';

interface ParamFieldProps {
  field: FieldSpec;
  id: string;
  value: FieldValue | undefined;
  error: string | undefined;
  onChange: (value: FieldValue) => void;
}

/** One input for one params field, chosen by the field's schema type. */
export function ParamField({ field, id, value, error, onChange }: ParamFieldProps) {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  // Text fields carry their schema description as a hint (numbers and choices explain themselves).
  const hint = field.kind === 'string' && field.description ? field.description : null;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  const common = {
    id,
    name: field.name,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy || undefined,
  };
  const text = typeof value === 'string' ? value : '';
  let input;
  if (field.kind === 'boolean') {
    return (
      <div className="field field-check">
        <label htmlFor={id}>
          <input {...common} type="checkbox" checked={value === true} onChange={(event) => onChange(event.target.checked)} />{' '}
          {field.title}
        </label>
        {field.description && <p className="hint">{field.description}</p>}
        {error && (
          <p className="field-error" id={errorId}>
            {error}
          </p>
        )}
      </div>
    );
  } else if (field.kind === 'enum') {
    input = (
      <select {...common} value={text} onChange={(event) => onChange(event.target.value)}>
        {(field.enum ?? []).map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'number' || field.kind === 'integer') {
    input = (
      <input
        {...common}
        type="number"
        inputMode={field.kind === 'integer' ? 'numeric' : 'decimal'}
        min={field.minimum}
        max={field.maximum}
        step={field.kind === 'integer' ? 1 : 'any'}
        value={text}
        onChange={(event) => onChange(event.target.value)}
      />
    );
  } else {
    input = (
      <input
        {...common}
        type="text"
        spellCheck={false}
        autoComplete="off"
        maxLength={field.maxLength}
        value={text}
        onChange={(event) => onChange(event.target.value)}
      />
    );
  }
  return (
    <div className={hint ? 'field span-2' : 'field'}>
      <label htmlFor={id}>{field.title}</label>
      {input}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
