import { DocumentStore, type DocumentSealer } from '@synapse/device-config';
import { decryptAtRest, encryptAtRest, type EncryptionKeyring } from '@synapse/temporal-connection';

/** The payload keyring as the document store's at-rest encryption (the same keys as the device worker's backups). */
export function documentSealer(keyring: EncryptionKeyring): DocumentSealer {
  return {
    seal: (plain) => encryptAtRest(keyring, plain),
    open: (content, what) => decryptAtRest(keyring, content, what),
  };
}

/** The store rendered configs go to; encrypted at rest when payload keys are configured, plain (still owner-only) otherwise. */
export function createDocumentStore(dir: string, keyring?: EncryptionKeyring): DocumentStore {
  return new DocumentStore({ dir, ...(keyring ? { sealer: documentSealer(keyring) } : {}) });
}
