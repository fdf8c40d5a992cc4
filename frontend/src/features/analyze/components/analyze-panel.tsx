import { type KeyboardEvent, useId, useState } from 'react';
import type { Job } from '../../../lib/api-types';
import { ArchiveForm } from './archive-form';
import { LockfileForm } from './lockfile-form';
import { PackageForm } from './package-form';

const TABS = [
  { key: 'package', label: 'Package' },
  { key: 'archive', label: 'Archive' },
  { key: 'lockfile', label: 'Lock file' },
] as const;
type TabKey = (typeof TABS)[number]['key'];

interface AnalyzePanelProps {
  /** One job queued by the package or archive form (the page follows it). */
  onQueued: (job: Job) => void;
  /** The jobs a lock file created (they appear in the table). */
  onQueuedMany: (jobs: Job[]) => void;
  /** The live jobs: a lock file's outcome counts its jobs as they finish. */
  jobs?: ReadonlyMap<string, Job>;
}

/** The three ways to submit an analysis, as tabs (WAI-ARIA tabs pattern: arrow keys move between them). */
export function AnalyzePanel({ onQueued, onQueuedMany, jobs }: AnalyzePanelProps) {
  const id = useId();
  const [tab, setTab] = useState<TabKey>('package');
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = TABS.findIndex((t) => t.key === tab);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = TABS[(index + step + TABS.length) % TABS.length]?.key ?? 'package';
    setTab(next);
    document.getElementById(`${id}-tab-${next}`)?.focus();
  };
  return (
    <section className="panel analyze-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Analyse a package</h2>
      <div className="tabs" role="tablist" aria-label="How to submit" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t.key}
            type="button"
            role="tab"
            id={`${id}-tab-${t.key}`}
            aria-selected={tab === t.key}
            aria-controls={`${id}-panel`}
            tabIndex={tab === t.key ? 0 : -1}
            onClick={() => setTab(t.key)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${tab}`} className="tab-panel">
        {tab === 'package' && <PackageForm onQueued={onQueued} />}
        {tab === 'archive' && <ArchiveForm onQueued={onQueued} />}
        {tab === 'lockfile' && <LockfileForm onQueued={onQueuedMany} jobs={jobs} />}
      </div>
    </section>
  );
}
