import { SynapseError, type DeployedChange, type DocumentRef, type ManagedConfig } from '@synapse/contracts';
import { checksum, DocumentStoreError } from '@synapse/device-config';
import { AtRestDecryptionError } from '@synapse/temporal-connection';
import type { ActivityRuntime } from './deps';

/**
 * The rendered config a reference names, from the document store, verified:
 * the store checks the bytes against the digest, and the config's checksum
 * must be that digest too, so what is deployed is exactly what was planned.
 * A missing, altered or unreadable document (or no store at all) is a
 * non-retryable InvalidInput: a retry reads the same directory.
 */
export async function loadConfig(runtime: ActivityRuntime, device: string, ref: DocumentRef, field: string): Promise<ManagedConfig> {
  const digest = `${ref.sha256.slice(0, 12)}…`;
  if (!runtime.documents) {
    throw new SynapseError(
      'InvalidInput',
      `${device}: ${field} names rendered config ${digest}, and this worker has no document store: set SYNAPSE_DOCUMENT_DIR to the directory the infrahub worker writes`,
      { device, sha256: ref.sha256, fields: [field], missing: 'SYNAPSE_DOCUMENT_DIR' },
    );
  }
  let config: ManagedConfig;
  try {
    config = await runtime.documents.getConfig(ref);
  } catch (err) {
    if (!(err instanceof DocumentStoreError) && !(err instanceof AtRestDecryptionError)) throw err;
    const problem = err instanceof DocumentStoreError ? err.reason : 'undecryptable';
    throw new SynapseError(
      'InvalidInput',
      `${device}: ${field}: ${err.message} (SYNAPSE_DOCUMENT_DIR=${runtime.documents.dir}); nothing was done with it`,
      { device, sha256: ref.sha256, fields: [field], problem },
    );
  }
  const actual = checksum(config);
  if (actual !== ref.sha256) {
    throw new SynapseError(
      'InvalidInput',
      `${device}: ${field}: rendered config ${digest} in ${runtime.documents.dir} (SYNAPSE_DOCUMENT_DIR) has checksum ${actual.slice(0, 12)}…, not its name: it is not deployed`,
      { device, sha256: ref.sha256, fields: [field], problem: 'integrity' },
    );
  }
  return config;
}

/**
 * A change as deploy, confirm and rollback work with it: `configRef` read
 * into `config`; a change with `config` is returned as it is. `at` is where
 * the change sits in the input ('' at the top, 'touched', …), for the field names.
 */
export async function resolveDeployedChange(runtime: ActivityRuntime, device: string, change: DeployedChange, at = ''): Promise<DeployedChange> {
  if (!change.configRef) return change;
  const field = (name: string) => (at ? `${at}.${name}` : name);
  if (Object.keys(change.config).length > 0) {
    throw new SynapseError('InvalidInput', `${device}: give ${field('config')} or ${field('configRef')}, not both`, { device, fields: [field('config'), field('configRef')] });
  }
  const { configRef, ...rest } = change;
  return { ...rest, config: await loadConfig(runtime, device, configRef, field('configRef')) };
}
