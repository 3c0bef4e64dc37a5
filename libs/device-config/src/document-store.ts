import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DocumentRef, ManagedConfig } from '@synapse/contracts';
import { checksum } from './checksum';

/**
 * At-rest encryption for stored documents, injected by the worker (the
 * payload keyring's encryptAtRest/decryptAtRest): this library stays free of
 * key handling. `open` returns plain input unchanged (documents written
 * before keys were configured).
 */
export interface DocumentSealer {
  seal(plain: Buffer): Buffer;
  open(content: Buffer, what: string): Buffer;
}

/** The reference names no readable document, or one whose bytes do not hash to it. */
export class DocumentStoreError extends Error {
  constructor(
    readonly reason: 'not-found' | 'integrity',
    readonly sha256: string,
    message: string,
  ) {
    super(message);
    this.name = 'DocumentStoreError';
  }
}

/**
 * Rendered configs by content: the infrahub worker writes each one, exactly
 * as rendered (module prefixes and identities as the device must receive
 * them), under the sha256 of its canonical form (the intent's checksum); the
 * device worker reads it back by that digest and recomputes it. So
 * workflow history carries a 64-character name instead of the config, and
 * what is deployed is provably what was planned. A directory both workers
 * reach (a shared volume in production); writes go to a temporary file and
 * are renamed into place, so a reader never sees half a document, and equal
 * configs share one file. Owner-only, like the backups.
 */
export class DocumentStore {
  readonly #dir: string;
  readonly #sealer: DocumentSealer | undefined;

  constructor(options: { dir: string; sealer?: DocumentSealer }) {
    this.#dir = path.resolve(options.dir);
    this.#sealer = options.sealer;
  }

  get dir(): string {
    return this.#dir;
  }

  /** Stores the config as rendered and returns its reference; writing an equal config again changes nothing. */
  async putConfig(config: ManagedConfig): Promise<DocumentRef> {
    const bytes = Buffer.from(JSON.stringify(config), 'utf8');
    const sha256 = checksum(config);
    const file = this.#fileOf(sha256);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const exists = await fs.stat(file).then(
      () => true,
      () => false,
    );
    if (!exists) {
      const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      await fs.writeFile(temporary, this.#sealer ? this.#sealer.seal(bytes) : bytes, { mode: 0o600 });
      await fs.rename(temporary, file);
    }
    return { sha256, sizeBytes: bytes.length };
  }

  /** The config a reference names, verified against its digest. */
  async getConfig(ref: DocumentRef): Promise<ManagedConfig> {
    let content: Buffer;
    try {
      content = await fs.readFile(this.#fileOf(ref.sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new DocumentStoreError(
        'not-found',
        ref.sha256,
        `rendered config ${ref.sha256.slice(0, 12)}… is not in the document store at ${this.#dir}: the infrahub worker and this worker must share SYNAPSE_DOCUMENT_DIR`,
      );
    }
    const what = `rendered config ${ref.sha256.slice(0, 12)}…`;
    const bytes = this.#sealer ? this.#sealer.open(content, what) : content;
    let config: ManagedConfig;
    try {
      config = JSON.parse(bytes.toString('utf8')) as ManagedConfig;
    } catch {
      throw new DocumentStoreError('integrity', ref.sha256, `${what} in ${this.#dir} is not valid JSON: the file was altered or truncated; it is not used`);
    }
    const actual = checksum(config);
    if (actual !== ref.sha256) {
      throw new DocumentStoreError('integrity', ref.sha256, `${what} in ${this.#dir} hashes to ${actual.slice(0, 12)}…: the file was altered; it is not used`);
    }
    return config;
  }

  #fileOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new DocumentStoreError('not-found', sha256, `"${sha256}" is not a sha256 digest`);
    // Two levels keep a fleet's documents out of one huge directory.
    return path.join(this.#dir, sha256.slice(0, 2), `${sha256}.json`);
  }
}
