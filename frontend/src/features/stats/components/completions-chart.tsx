import { useId, useMemo } from 'react';
import type { Job } from '../../../lib/api-types';
import { useNow } from '../../../lib/use-now';
import { completionsPerMinute } from '../model/completions';

const WIDTH = 300;
const HEIGHT = 110;
const AXIS = 16;
const TOP = 14;
const MINUTES = 15;

/** Finished jobs per minute, hand-drawn in SVG to keep the bundle small. */
export function CompletionsChart({ jobs }: { jobs: ReadonlyMap<string, Job> }) {
  const titleId = useId();
  const now = useNow(15_000);
  const buckets = useMemo(() => completionsPerMinute(jobs.values(), now, MINUTES), [jobs, now]);
  const max = Math.max(1, ...buckets.map((b) => b.completed + b.failed));
  const total = buckets.reduce((sum, b) => sum + b.completed + b.failed, 0);
  const slot = WIDTH / buckets.length;
  const barWidth = slot * 0.7;
  const plotHeight = HEIGHT - AXIS;
  const scale = (n: number) => (n / max) * (plotHeight - TOP);
  const last = buckets.at(-1);

  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId}>Finished per minute</h2>
      <svg
        className="chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`${total} jobs finished in the last ${MINUTES} minutes; ${last ? last.completed + last.failed : 0} this minute.`}
      >
        <line x1={0} x2={WIDTH} y1={plotHeight} y2={plotHeight} className="chart-axis" />
        {buckets.map((bucket, i) => {
          const x = i * slot + (slot - barWidth) / 2;
          const completedHeight = scale(bucket.completed);
          const failedHeight = scale(bucket.failed);
          const label = new Date(bucket.start).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
          return (
            <g key={bucket.start}>
              <title>{`${label}: ${bucket.completed} completed, ${bucket.failed} failed`}</title>
              <rect x={x} y={plotHeight - completedHeight} width={barWidth} height={completedHeight} className="bar-completed" />
              <rect
                x={x}
                y={plotHeight - completedHeight - failedHeight}
                width={barWidth}
                height={failedHeight}
                className="bar-failed"
              />
              {(i === 0 || i === buckets.length - 1 || i === Math.floor(buckets.length / 2)) && (
                <text
                  x={i === 0 ? x : i === buckets.length - 1 ? x + barWidth : x + barWidth / 2}
                  y={HEIGHT - 3}
                  textAnchor={i === 0 ? 'start' : i === buckets.length - 1 ? 'end' : 'middle'}
                  className="chart-label"
                >
                  {i === buckets.length - 1 ? 'now' : label}
                </text>
              )}
            </g>
          );
        })}
        <text x={2} y={10} className="chart-label">
          {`max ${max}/min`}
        </text>
      </svg>
    </section>
  );
}
