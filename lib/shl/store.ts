/**
 * The SMART Health Link server's state: one small JSON file per link and one of recently accepted
 * owner signatures, in a folder on the app server (`MEDLEDGER_SHL_DIR`, default `.medledger/shl`).
 * Every write goes to a temporary file that is then renamed over the old one, so a crash leaves the
 * old state or the new, never half of one. Changes to one link are serialised in this process, so
 * parallel manifest requests cannot outrun the passcode counter. Node only.
 *
 * What a link file holds is what the server needs and no more: the encrypted file (the key is only in
 * the link, so the server cannot read it; it is deleted when the link is revoked or expires), the
 * passcode's scrypt hash, the expiry, the owner, the attempts left, and the access log.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { Address } from 'viem';

import type { LinkAccess } from './types';

/** A single-use URL the manifest handed out for a file too long to embed. */
export interface FileTicket {
  readonly ticket: string;
  /** Unix ms. */
  readonly expiresAt: number;
}

export interface StoredLink {
  readonly id: string;
  readonly owner: Address;
  readonly label?: string;
  /** The category names the patient chose (shown back in the list). */
  readonly categories: readonly string[];
  /** Unix seconds. */
  readonly createdAt: number;
  /** Unix seconds. */
  readonly exp: number;
  /** `scrypt$N$r$p$salt$hash` (base64url), when a passcode is required. */
  readonly passcodeHash?: string;
  /** Wrong passcodes left before the link is disabled (passcode links only). */
  readonly remainingAttempts?: number;
  readonly revoked: boolean;
  /** The encrypted Bundle (compact JWE); gone once the link is revoked or expired. */
  readonly jwe?: string;
  /** Unix seconds, when the file was made. */
  readonly lastUpdated: number;
  readonly accesses: readonly LinkAccess[];
  readonly tickets: readonly FileTicket[];
}

/** How many accesses a link keeps (the oldest go first). */
export const MAX_LOGGED_ACCESSES = 1000;

const LINK_ID = /^[A-Za-z0-9_-]{43}$/;

/** The folder the app server keeps links in. */
export function shlStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.MEDLEDGER_SHL_DIR || path.join(process.cwd(), '.medledger', 'shl'));
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export class ShlStore {
  readonly #links: string;
  readonly #signatures: string;
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(readonly dir: string) {
    this.#links = path.join(dir, 'links');
    this.#signatures = path.join(dir, 'signatures.json');
  }

  #file(id: string): string {
    if (!LINK_ID.test(id)) throw new Error(`"${id}" is not a link id`);
    return path.join(this.#links, `${id}.json`);
  }

  /** Runs `task` after every earlier task queued under `key` settled. */
  #serial<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const settled = run.catch(() => undefined);
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return run;
  }

  /** The link, or undefined when there is none with this id (or the id is malformed). */
  async get(id: string): Promise<StoredLink | undefined> {
    if (!LINK_ID.test(id)) return undefined;
    return readJson<StoredLink>(this.#file(id));
  }

  /**
   * Stores a new link.
   *
   * @returns false when a link with this id exists (nothing is written)
   */
  create(link: StoredLink): Promise<boolean> {
    return this.#serial(link.id, async () => {
      if (await this.get(link.id)) return false;
      await mkdir(this.#links, { recursive: true, mode: 0o700 });
      await writeAtomically(this.#file(link.id), JSON.stringify(link));
      return true;
    });
  }

  /**
   * Reads, changes and writes one link, with no other change to it in between.
   *
   * @param change - the new state (written) and a result; undefined state writes nothing
   */
  update<T>(
    id: string,
    change: (
      link: StoredLink | undefined,
    ) => { link?: StoredLink; result: T } | Promise<{ link?: StoredLink; result: T }>,
  ): Promise<T> {
    return this.#serial(id, async () => {
      const { link, result } = await change(await this.get(id));
      if (link) await writeAtomically(this.#file(id), JSON.stringify(link));
      return result;
    });
  }

  /** Every link `owner` created, newest first. */
  async listByOwner(owner: Address): Promise<StoredLink[]> {
    const names = await readdir(this.#links).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const links = await Promise.all(
      names.filter((name) => name.endsWith('.json')).map((name) => this.get(name.slice(0, -'.json'.length))),
    );
    return links
      .filter((link): link is StoredLink => link?.owner.toLowerCase() === owner.toLowerCase())
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  /**
   * Remembers an accepted signature until `expiresAt` (Unix ms).
   *
   * @returns false when it was already remembered: a replay
   */
  rememberSignature(signature: string, expiresAt: number, now = Date.now()): Promise<boolean> {
    return this.#serial('\0signatures', async () => {
      const seen = (await readJson<Record<string, number>>(this.#signatures)) ?? {};
      const key = signature.toLowerCase();
      if (seen[key] !== undefined && seen[key] > now) return false;
      const kept = Object.fromEntries(Object.entries(seen).filter(([, until]) => until > now));
      kept[key] = expiresAt;
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeAtomically(this.#signatures, JSON.stringify(kept));
      return true;
    });
  }
}
