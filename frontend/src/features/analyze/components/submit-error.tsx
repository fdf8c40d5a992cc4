import { describeError, fieldProblems, retryHint } from '../../../lib/api-error';

/** An API failure in the API's own words, with field problems and the retry hint when there are any. */
export function SubmitError({ error }: { error: unknown }) {
  const problems = fieldProblems(error);
  const retry = retryHint(error);
  return (
    <div className="form-error" role="alert">
      <p>{describeError(error)}</p>
      {retry && <p className="retry-hint">{retry}</p>}
      {problems.length > 0 && (
        <ul>
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
