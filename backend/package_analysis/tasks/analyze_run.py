"""`analyze`, executed: the analysis itself (fetch → unpack → rules → verdict) is
`analysis.pipeline`, shared with the `scan` role; this module adds what the platform keeps,
through the task context's store: uploads read from the upload store (in place on the volume,
streamed down to a scratch folder from an object store), the per-artifact cache (each source
answers from its own scans only), and the report rows written inside the fenced completion.
Loaded by workers only (the engine is heavy).
"""

from __future__ import annotations

import dataclasses
import functools

from ..analysis.model import AnalysisError, Provenance, Report
from ..analysis.pipeline import CacheFn, Limits, ProgressFn, analyze_file, analyze_purl
from ..analysis.suppress import suppressions_apply
from .analyze import AnalyzeParams, AnalyzeResult
from .base import TaskContext, TaskFailed, TaskResult, TaskStore


def run(params: AnalyzeParams, ctx: TaskContext) -> TaskResult:
    store = ctx.store_required()
    limits = Limits.from_env()
    source = "upload" if params.upload is not None else "registry"
    # Each source answers only from its own scans: an upload never answers for the registry.
    cache = None if params.force else functools.partial(store.findings_cached, source=source)

    def on_progress(stage: str, fraction: float) -> None:
        ctx.report(min(0.99, fraction))

    try:
        if params.upload is not None:
            report = _analyze_upload(params, limits, on_progress, ctx, cache, store)
        else:
            assert params.purl is not None
            report = analyze_purl(
                params.purl,
                limits=limits,
                on_progress=on_progress,
                check=ctx.check,
                cache=cache,
                baseline_request=params.baseline or "previous",  # docs/diff.md
            )
    except AnalysisError as exc:
        raise TaskFailed(str(exc)) from None
    report = suppressions_apply(report, store.suppressions_active())
    summary = AnalyzeResult.model_validate(
        {**report.summary(), "report": f"/jobs/{ctx.job_id}/report"}
    )
    return TaskResult(summary, save=lambda job_id: store.report_save(job_id=job_id, report=report))


def _analyze_upload(
    params: AnalyzeParams,
    limits: Limits,
    on_progress: ProgressFn,
    ctx: TaskContext,
    cache: CacheFn | None,
    store: TaskStore,
) -> Report:
    assert params.upload is not None
    with store.upload_fetch(
        upload_id=params.upload, scratch_dir=limits.scratch_dir, max_bytes=limits.max_artifact_bytes
    ) as (upload, path):
        report = analyze_file(  # in place on the volume, else the copy streamed to scratch
            path,
            ecosystem=upload.ecosystem,
            filename=upload.filename,
            limits=limits,
            on_progress=on_progress,
            check=ctx.check,
            cache=cache,
            baseline_request=params.baseline or "copies",  # a copy's original, unless asked
        )
    provenance = Provenance("upload", claimed=True, filename=upload.filename)
    return dataclasses.replace(report, provenance=provenance)


def timeout(params: AnalyzeParams) -> float:
    return float(Limits.from_env().timeout_seconds)
