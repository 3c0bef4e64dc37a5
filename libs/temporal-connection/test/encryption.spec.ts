/**
 * Payload encryption end to end on the suite's real dev server: a worker
 * and a client configured from the environment run a config change; the
 * history the server stores holds no config text, while the same change
 * without keys does. A client with another key cannot read the result, and
 * says why.
 */
import { randomBytes } from 'node:crypto';
import type { WorkflowBundle } from '@temporalio/worker';
import { historyText } from '@synapse/temporal-tools';
import { connectClient, connectWorker, PayloadDecryptionError, type ClientTemporal, type WorkerTemporal } from '../src';
import { bundleConfigWorkflow, configChange, MARKER, quietRuntime, rawHistory, runConfigChange, suiteEnv } from './harness';
import type { configChangeWorkflow } from './workflows';

describe('payload encryption on a real Temporal server', () => {
  const key = randomBytes(32).toString('base64');
  const encryptedEnv = suiteEnv({ SYNAPSE_ENCRYPTION_KEYS: `k1=${key}` });
  const opened: { close(): Promise<void> }[] = [];
  let encryptingBundle: WorkflowBundle;
  let plainBundle: WorkflowBundle;

  beforeAll(async () => {
    quietRuntime();
    [encryptingBundle, plainBundle] = await Promise.all([bundleConfigWorkflow({ encodedFailures: true }), bundleConfigWorkflow({ encodedFailures: false })]);
  });
  afterAll(async () => {
    for (const connection of opened.reverse()) await connection.close();
  });

  async function open(env: Record<string, string>): Promise<{ worker: WorkerTemporal; client: ClientTemporal }> {
    const worker = await connectWorker(env);
    opened.push(worker);
    const client = await connectClient(env);
    opened.push(client);
    return { worker, client };
  }

  it('keeps config text out of the stored history when keys are configured, and not otherwise', async () => {
    const encrypted = await open(encryptedEnv);
    const plain = await open(suiteEnv());
    expect(encrypted.worker.describe().encryption).toEqual({ activeKeyId: 'k1', keyIds: ['k1'] });
    expect(plain.worker.describe().encryption).toBe(false);

    const [secret, clear] = await Promise.all([
      runConfigChange(encrypted.worker, encrypted.client.client, encryptingBundle),
      runConfigChange(plain.worker, plain.client.client, plainBundle),
    ]);

    // Both runs did the same thing, and the encrypting client reads its result as plainly as the other.
    for (const run of [secret, clear]) {
      expect(run.result.device).toBe('leaf01');
      expect(run.result.diff).toContain(`/interface[name=ethernet-1/49]/description "${MARKER}"`);
      expect(run.result.refusal).toContain(`leaf01 refused the config: {"interface":[{"name":"ethernet-1/49","mtu":9214,"description":"${MARKER}"}]}`);
    }

    const secretBytes = await rawHistory(encrypted.client.client, secret.workflowId);
    const clearBytes = await rawHistory(plain.client.client, clear.workflowId);
    // The check can fail: without keys the same history carries the config in the clear.
    expect(clearBytes.includes(MARKER)).toBe(true);
    expect(clearBytes.includes('"mtu":9214')).toBe(true);
    expect(clearBytes.includes('refused the config')).toBe(true);

    expect(secretBytes.includes(MARKER)).toBe(false);
    expect(secretBytes.includes('"mtu":9214')).toBe(false);
    expect(secretBytes.includes('ethernet-1/49')).toBe(false);
    expect(secretBytes.includes('refused the config')).toBe(false);
    expect(secretBytes.includes('binary/encrypted')).toBe(true);
    expect(secretBytes.includes('encryption-key-id')).toBe(true);

    // Decoded the way test helpers and people read history (base64 undone): still nothing.
    const history = await encrypted.client.client.workflow.getHandle(secret.workflowId).fetchHistory();
    expect(historyText(history)).not.toContain(MARKER);
    expect(historyText(await plain.client.client.workflow.getHandle(clear.workflowId).fetchHistory())).toContain(MARKER);
  });

  it('fails clearly for a client with another key under the same id, or without the id', async () => {
    const encrypted = await open(encryptedEnv);
    const { workflowId } = await runConfigChange(encrypted.worker, encrypted.client.client, encryptingBundle, configChange('leaf02'));

    const wrongKey = await connectClient(suiteEnv({ SYNAPSE_ENCRYPTION_KEYS: `k1=${randomBytes(32).toString('base64')}` }));
    opened.push(wrongKey);
    const wrongKeyError = await wrongKey.client.workflow.getHandle<typeof configChangeWorkflow>(workflowId).result().catch((err: unknown) => err);
    expect(wrongKeyError).toBeInstanceOf(PayloadDecryptionError);
    expect((wrongKeyError as Error).message).toContain('payload encrypted with key id "k1" failed authentication (AES-GCM tag mismatch)');

    const otherIds = await connectClient(suiteEnv({ SYNAPSE_ENCRYPTION_KEYS: `k2=${randomBytes(32).toString('base64')}` }));
    opened.push(otherIds);
    const unknownKeyError = await otherIds.client.workflow.getHandle(workflowId).result().catch((err: unknown) => err);
    expect(unknownKeyError).toBeInstanceOf(PayloadDecryptionError);
    expect((unknownKeyError as Error).message).toContain('payload encrypted with key id "k1", which is not configured (configured key ids: k2)');

    // The right key still reads it: the failures above were the keys, not the workflow.
    expect((await encrypted.client.client.workflow.getHandle<typeof configChangeWorkflow>(workflowId).result()).device).toBe('leaf02');
  });
});
