// Names the app uses for the generated OpenAPI schemas; nothing here is written by hand.
import type { components } from './api-schema';

type Schemas = components['schemas'];

export type Job = Schemas['JobOut'];
export type JobStatus = Job['status'];
export type JobPage = Schemas['JobPageOut'];
export type Stats = Schemas['StatsOut'];
export type ErrorBody = Schemas['ErrorOut'];
export type DispatchRequest = Schemas['DispatchIn'];
export type LockfileAnswer = Schemas['LockfileOut'];
export type Report = Schemas['ReportOut'];
export type Finding = Schemas['FindingOut'];
/** A finished analyze job's `result`: the report without its findings lists, which it only counts. */
export type AnalysisSummary = Omit<Report, 'findings' | 'job' | 'suppressed'> & {
  findings: number;
  suppressed?: number;
};

/** A WebSocket frame: the Job shape plus the event that produced it. */
export type JobEvent = Job & { event?: string };

export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'completed', 'failed'];
