import { useId, useState } from 'react';
import type { Job } from '../../../lib/api-types';
import { analyzePackage } from '../api/analyze-package';
import { PURL_EXAMPLE, packageFromFields, parsePurl } from '../../../domain/purl';
import { AnalysisForm } from './analysis-form';
import { EcosystemField } from './ecosystem-field';

type Mode = 'fields' | 'purl';

interface PackageFormProps {
  onQueued: (job: Job) => void;
}

/** Analyse a registry package: ecosystem + name + optional version, or a pasted purl. */
export function PackageForm({ onQueued }: PackageFormProps) {
  const id = useId();
  const [mode, setMode] = useState<Mode>('fields');
  const [ecosystem, setEcosystem] = useState('pypi');
  const [name, setName] = useState('');
  const [version, setVersion] = useState('');
  const [purl, setPurl] = useState('');
  const [force, setForce] = useState(false);
  const [invalid, setInvalid] = useState<string | null>(null);
  const inputId = mode === 'purl' ? `${id}-purl` : `${id}-name`;
  const errorId = `${id}-invalid`;

  const parse = () => (mode === 'purl' ? parsePurl(purl) : packageFromFields({ ecosystem, name, version }));
  const check = () => {
    const parsed = parse();
    const problem = parsed.ok ? null : parsed.error;
    setInvalid(problem);
    return problem;
  };
  const send = async () => {
    const parsed = parse();
    if (parsed.ok) onQueued(await analyzePackage({ purl: parsed.value.purl, force }));
  };

  const invalidProps = invalid ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {};
  const edit = (set: (value: string) => void) => (event: { target: { value: string } }) => {
    set(event.target.value);
    setInvalid(null);
  };
  return (
    <AnalysisForm
      label="Analyse a package"
      submitLabel="Analyse"
      busyLabel="Queuing…"
      check={check}
      focusId={inputId}
      send={send}
    >
      <fieldset className="mode-switch">
        <legend className="visually-hidden">Enter the package</legend>
        {(['fields', 'purl'] as const).map((value) => (
          <label key={value}>
            <input
              type="radio"
              name={`${id}-mode`}
              value={value}
              checked={mode === value}
              onChange={() => {
                setMode(value);
                setInvalid(null);
              }}
            />{' '}
            {value === 'fields' ? 'By name' : 'By package URL'}
          </label>
        ))}
      </fieldset>
      {mode === 'fields' ? (
        <div className="form-grid">
          <EcosystemField
            id={`${id}-ecosystem`}
            value={ecosystem}
            onChange={(value) => {
              setEcosystem(value);
              setInvalid(null);
            }}
          />
          <div className="field">
            <label htmlFor={`${id}-version`}>Version</label>
            <input
              id={`${id}-version`}
              value={version}
              onChange={edit(setVersion)}
              placeholder="latest"
              spellCheck={false}
              autoComplete="off"
            />
          </div>
          <div className="field span-2">
            <label htmlFor={`${id}-name`}>Package name</label>
            <input
              id={`${id}-name`}
              value={name}
              onChange={edit(setName)}
              placeholder={ecosystem === 'npm' ? 'left-pad or @scope/name' : 'requests'}
              spellCheck={false}
              autoComplete="off"
              autoCapitalize="off"
              {...invalidProps}
            />
          </div>
        </div>
      ) : (
        <div className="field">
          <label htmlFor={`${id}-purl`}>Package URL (purl)</label>
          <input
            id={`${id}-purl`}
            value={purl}
            onChange={edit(setPurl)}
            placeholder={PURL_EXAMPLE}
            spellCheck={false}
            autoComplete="off"
            autoCapitalize="off"
            {...invalidProps}
          />
        </div>
      )}
      {invalid && (
        <p className="field-error" id={errorId}>
          {invalid}
        </p>
      )}
      <label className="check">
        <input type="checkbox" checked={force} onChange={(event) => setForce(event.target.checked)} /> Analyse again even if
        analysed before
      </label>
    </AnalysisForm>
  );
}
