/**
 * Progress of the record pipeline, one event per step, so every front end can show where a person's
 * upload or download is: validate → encrypt → upload → sign → pending → confirmed, and back. A
 * patient's write starts with `rotate` when providers whose access ended still hold the current keys
 * (their grants are revoked first, one transaction each).
 */
export type PipelineStep =
  | 'rotate'
  | 'validate'
  | 'encrypt'
  | 'upload'
  | 'sign'
  | 'pending'
  | 'confirmed'
  | 'list'
  | 'fetch'
  | 'decrypt'
  | 'done';

export interface PipelineProgress {
  readonly step: PipelineStep;
  /** Items (records, bytes) done so far within the step, and how many there are. */
  readonly done?: number;
  readonly total?: number;
  /** Transaction hash once known. */
  readonly hash?: `0x${string}`;
}

export type ProgressListener = (progress: PipelineProgress) => void;
