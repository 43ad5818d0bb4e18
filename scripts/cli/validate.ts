/**
 * `validate FILE… [--json]`: checks FHIR R4 JSON files offline (no chain, no IPFS, no wallet) with
 * lib/fhir's validator and reports, per file, "valid" or every issue with its FHIR path; with `--json`
 * one OperationOutcome per file, one per line. Exit code 1 when any file has an error; a file that cannot
 * be read or is not JSON is an error of that file, not of the command.
 */
import { readFile } from 'node:fs/promises';

import type { OperationOutcome } from '@medplum/fhirtypes';

import { ValidationError, describeError } from '../../lib/errors';
import { parseJson, resourceIssues } from '../../lib/fhir';
import { operationOutcome, type FhirIssue } from '../../lib/fhir/outcome';

/** One file's result. */
export interface FileValidation {
  readonly file: string;
  readonly issues: readonly FhirIssue[];
  /** Resources checked: the file's resource and, in a Bundle, each entry's. */
  readonly resources: number;
  readonly errors: number;
}

/** Resources in a parsed file: itself, plus its entries when it is a Bundle. */
function resourceCount(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const entries = (value as { entry?: unknown }).entry;
  return 1 + (Array.isArray(entries) ? entries.filter((entry) => entry?.resource !== undefined).length : 0);
}

/**
 * Reads and validates one file.
 * @param file - path of a FHIR JSON file (a resource or a Bundle)
 */
export async function validateFile(file: string): Promise<FileValidation> {
  const failed = (code: FhirIssue['code'], message: string): FileValidation => ({
    file,
    issues: [{ path: file, severity: 'error', code, message }],
    resources: 0,
    errors: 1,
  });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : describeError(error);
    return failed(code === 'ENOENT' ? 'not-found' : 'exception', `cannot be read: ${reason}`);
  }
  let value: unknown;
  try {
    value = parseJson(text, file);
  } catch (error) {
    return failed(
      'structure',
      error instanceof ValidationError ? (error.issues[0]?.message ?? error.message) : describeError(error),
    );
  }
  const issues = resourceIssues(value);
  return { file, issues, resources: resourceCount(value), errors: issues.filter((i) => i.severity === 'error').length };
}

/** A file's result as the OperationOutcome `--json` prints. */
export function fileOutcome(result: FileValidation): OperationOutcome {
  return operationOutcome(result.issues);
}

/** How the human report lists a file's result. */
export function fileReport(result: FileValidation): string {
  if (result.issues.length === 0)
    return `${result.file}: valid (${result.resources} resource${result.resources === 1 ? '' : 's'})`;
  const lines = result.issues.map((issue) => `  ${issue.severity} [${issue.code}] ${issue.path}: ${issue.message}`);
  return `${result.file}: ${result.errors} error${result.errors === 1 ? '' : 's'}\n${lines.join('\n')}`;
}

type Values = Record<string, string | boolean | undefined>;
type Output = { readonly json: boolean; out(human: string, data: unknown): void };
type Command = (positionals: string[], values: Values, io: Output) => Promise<void>;

/** The `validate` command; it needs nothing from the environment. */
export function validateCommands(): Record<'validate', Command> {
  return {
    async validate(files, _values, io) {
      if (files.length === 0)
        throw new ValidationError(
          [{ path: 'FILE', message: 'name at least one FHIR JSON file' }],
          'Nothing to validate',
        );
      let failed = false;
      for (const file of files) {
        const result = await validateFile(file);
        failed ||= result.errors > 0;
        // One OperationOutcome per line, so several files stay machine-readable (NDJSON).
        if (io.json) console.log(JSON.stringify(fileOutcome(result)));
        else io.out(fileReport(result), undefined);
      }
      if (failed) process.exitCode = 1;
    },
  };
}
