/**
 * How the CLI reports a failure: one sentence for people, and with `--json` one JSON object. A long
 * list of validation issues is cut to the first {@link SHOWN_ISSUES} in the sentence, with the count;
 * the JSON object carries every issue.
 */
import { ValidationError, type ValidationIssue, describeError } from '../../lib/errors';

/** How many validation issues a failure sentence lists. */
export const SHOWN_ISSUES = 10;

export interface Failure {
  /** One sentence. */
  readonly message: string;
  /** The `--json` form: the sentence and, for invalid input, every issue by path. */
  readonly json: { readonly error: string; readonly issues?: readonly ValidationIssue[] };
}

/**
 * Any thrown value as the CLI reports it.
 * @param error - what a command threw
 */
export function describeFailure(error: unknown): Failure {
  if (!(error instanceof ValidationError)) return { message: describeError(error), json: { error: describeError(error) } };
  const { issues, summary } = error;
  if (issues.length <= SHOWN_ISSUES) return { message: error.message, json: { error: error.message, issues } };
  const shown = issues
    .slice(0, SHOWN_ISSUES)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join('; ');
  const message = `${summary}: ${shown}; and ${issues.length - SHOWN_ISSUES} more (${issues.length} issues in all; --json lists every one).`;
  return { message, json: { error: message, issues } };
}
