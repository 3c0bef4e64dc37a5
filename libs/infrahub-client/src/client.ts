import { z } from 'zod';
import {
  ChangeId,
  ChangeRecord,
  DeploymentState,
  DeviceName,
  isSynapseError,
  parseInput,
  Sha256,
  SynapseError,
  UpdateDeviceStatusInput,
  type DeviceIntent,
  type IntentSource,
  type UpdateDeviceStatusResult,
} from '@synapse/contracts';
import { createAuthenticator, type Authenticator } from './auth';
import { resolveConfig, type InfrahubClientOptions, type InfrahubConfig } from './config';
import { toDevice, toDeviceSummary, toRoutingPolicy, type DeviceSummary, type InfrahubDevice, type InfrahubRoutingPolicy } from './device';
import { infrahubError, redactor, type CallContext } from './errors';
import { GraphqlExecutor, type GraphqlCall } from './graphql';
import { policyNamesOf, toDeviceIntent } from './intent';
import {
  BRANCH_BY_NAME,
  CREATE_BRANCH,
  CREATE_CHANGE_RECORD,
  UPDATE_CHANGE_RECORD,
  DEVICE_BGP_SESSIONS,
  DEVICE_DETAIL,
  DEVICE_ID,
  DEVICE_LAST_CHANGE,
  deviceListQuery,
  FIND_CHANGE_RECORD,
  ROUTING_POLICIES,
  SET_DEPLOYMENT_STATE,
} from './queries';
import {
  BgpSessionsData,
  BranchByNameData,
  CreateBranchData,
  CreateChangeRecordData,
  UpdateChangeRecordData,
  DeviceDetailData,
  DeviceIdData,
  DeviceLastChangeData,
  DeviceListData,
  FindChangeRecordData,
  RoutingPoliciesData,
  SetDeploymentStateData,
  type BgpSessionNode,
} from './responses';
import { HttpTransport } from './transport';

export interface BranchOption {
  /** Infrahub branch; the configured default branch when absent. */
  branch?: string;
}

export interface IntentReadOptions extends BranchOption {
  /**
   * Read the intent as it was at this time (ISO 8601; Infrahub's time
   * travel), so that many reads made one after another describe one instant.
   */
  at?: string;
}

export interface ListDevicesOptions extends BranchOption {
  role?: string;
  roles?: string[];
  status?: string;
  names?: string[];
  /** Devices per request; every page is fetched. */
  pageSize?: number;
}

/** Always on the default branch: deployment state is audit data (see recordDeployment). */
export interface SetDeploymentStateInput {
  device: string;
  state: DeploymentState;
  changeId: string;
  /** sha256 of the config now on the device; left as it was when absent. */
  configChecksum?: string;
  /** ISO 8601 time the config went onto the device; left as it was when absent. */
  deployedAt?: string;
}

/** A device's intent and where it was read: the change record names both, since a branch can be deleted after its deploy. */
export interface DeviceIntentResult {
  intent: DeviceIntent;
  source: IntentSource;
}

export interface DeploymentStateResult {
  device: string;
  /** Infrahub id of the device. */
  id: string;
  state: DeploymentState;
}

export interface CreateBranchOptions {
  description?: string;
  /** Succeed without creating when the branch already exists (a retried activity). */
  existOk?: boolean;
}

export interface BranchResult {
  name: string;
  id?: string;
  /** false when existOk found the branch already there. */
  created: boolean;
}

/**
 * recordDeployment's answer: the contract's result, and whether the
 * deployment state was written (false only when `onlyIfCurrent` found
 * another change on the device). Extra fields travel through Temporal as
 * they are; the contract's schema does not list this one yet.
 */
export interface RecordDeploymentResult extends UpdateDeviceStatusResult {
  stateWritten: boolean;
}

/** Page size of the Infrahub SDK; the server handles it comfortably. */
export const DEFAULT_PAGE_SIZE = 50;

const SetDeploymentStateInputSchema = z.object({
  device: DeviceName,
  state: DeploymentState,
  changeId: ChangeId,
  configChecksum: Sha256.optional(),
  deployedAt: z.string().datetime({ offset: true }).optional(),
});

const ListDevicesInput = z.object({
  role: z.string().min(1).optional(),
  roles: z.array(z.string().min(1)).min(1).optional(),
  status: z.string().min(1).optional(),
  names: z.array(DeviceName).optional(),
  branch: z.string().min(1).optional(),
  pageSize: z.number().int().min(1).max(1000).default(DEFAULT_PAGE_SIZE),
});

/** Where a change record keeps the branch and time its intent was read. */
function intentFields(source: IntentSource): Record<string, unknown> {
  return { intent_branch: { value: source.branch }, intent_read_at: { value: source.readAt } };
}

/** A point in time to read at: an ISO 8601 timestamp with its offset, as Infrahub's `at` takes it. */
const ReadAt = z.string().datetime({ offset: true, message: 'not an ISO 8601 timestamp such as 2026-12-07T10:00:00Z' });

/** Infrahub's branch names: no whitespace, no leading "/", at most 250 characters. */
const BranchName = z
  .string()
  .min(1)
  .max(250)
  .regex(/^[^\s/][^\s]*$/, 'branch name: no whitespace and no leading "/"');

/**
 * The Synapse view of Infrahub: devices and their intended state, deployment
 * state and change records, branches. One instance per process is enough; it
 * pools connections and, with username/password, shares one session.
 *
 * Intent is read from any branch; deployment state and change records are
 * audit data, always written on (and read from) the default branch, where
 * they outlive the branch an intent came from.
 *
 * Every method fails with a SynapseError: InfrahubUnavailable (retryable:
 * unreachable, timeouts, 5xx, load shedding after the client's own bounded
 * retries), AuthFailed, BranchNotFound, IntentNotFound (no such device),
 * InfrahubQueryFailed (GraphQL errors, unexpected response shape) and
 * InvalidInput (bad arguments, or data that cannot form an intent).
 */
export class InfrahubClient {
  readonly #config: InfrahubConfig;
  readonly #transport: HttpTransport;
  readonly #auth: Authenticator;
  readonly #graphql: GraphqlExecutor;

  constructor(options: InfrahubClientOptions = {}) {
    this.#config = resolveConfig(options);
    // The redactor reads the authenticator's secrets at call time: access
    // tokens appear only after login.
    let auth: Authenticator | undefined;
    const redact = (text: string) => redactor(auth?.secrets() ?? [])(text);
    this.#transport = new HttpTransport(this.#config, redact);
    auth = createAuthenticator(this.#config, this.#transport);
    this.#auth = auth;
    this.#graphql = new GraphqlExecutor(this.#config, this.#transport, this.#auth);
  }

  /** Configured from INFRAHUB_* variables only. */
  static fromEnv(env: Record<string, string | undefined> = process.env): InfrahubClient {
    return new InfrahubClient({ env });
  }

  get address(): string {
    return this.#config.address;
  }

  get defaultBranch(): string {
    return this.#config.defaultBranch;
  }

  get authMode(): Authenticator['mode'] {
    return this.#auth.mode;
  }

  /** A device with its interfaces, BGP sessions and deployment state. */
  async getDevice(name: string, options: IntentReadOptions = {}): Promise<InfrahubDevice> {
    const device = parseInput(DeviceName, name, 'getDevice device name');
    const branch = this.#branchOption(options, 'getDevice');
    const at = this.#atOption(options, 'getDevice');
    const result = await this.#run({
      operation: 'getDevice',
      document: DEVICE_DETAIL,
      variables: { name: device },
      branch,
      ...at,
      idempotent: true,
      data: DeviceDetailData,
    });
    const node = this.#single(result.DcimDevice, device, 'getDevice', branch);
    const sessions = await this.#allPages('getDevice', branch, DEFAULT_PAGE_SIZE, async (offset, limit) => {
      const page = await this.#run({
        operation: 'getDevice',
        document: DEVICE_BGP_SESSIONS,
        variables: { name: device, offset, limit },
        branch,
        ...at,
        idempotent: true,
        data: BgpSessionsData,
      });
      return { count: page.RoutingBGPSession.count, nodes: page.RoutingBGPSession.edges.map((e) => e.node) };
    });
    return toDevice(node, sessions as BgpSessionNode[], this.#branchName(branch));
  }

  /**
   * The device's intended state in the contracts' vendor-neutral form, with
   * the branch it was read from (the one named, else the default branch) and
   * when the read began (or the `at` it was read at). The routing policies
   * its peer groups name are read in one more query: those Infrahub defines
   * become part of the intent with the prefix sets they match; the others
   * stay names on the groups. Without `at`, the queries run at their own
   * moments; with it, all of them read the same instant.
   */
  async getDeviceIntent(name: string, options: IntentReadOptions = {}): Promise<DeviceIntentResult> {
    const branch = this.#branchOption(options, 'getDeviceIntent');
    const at = this.#atOption(options, 'getDeviceIntent');
    const readAt = at.at ?? new Date().toISOString();
    const device = await this.getDevice(name, { ...(branch === undefined ? {} : { branch }), ...at });
    const policies = await this.#routingPolicies(policyNamesOf(device), branch, at.at);
    return { intent: toDeviceIntent(device, policies), source: { branch: this.#branchName(branch), readAt } };
  }

  /** Every device matching the filters, across all pages. */
  async listDevices(options: ListDevicesOptions = {}): Promise<DeviceSummary[]> {
    const input = parseInput(ListDevicesInput, options, 'listDevices options');
    const branch = this.#branchOption(input, 'listDevices');
    const roles = input.role !== undefined || input.roles !== undefined ? [...new Set([...(input.role ? [input.role] : []), ...(input.roles ?? [])])] : undefined;
    if (input.names !== undefined && input.names.length === 0) return [];
    const { document, variables } = deviceListQuery({ roles, status: input.status, names: input.names });
    const nodes = await this.#allPages('listDevices', branch, input.pageSize, async (offset, limit) => {
      const page = await this.#run({
        operation: 'listDevices',
        document,
        variables: { ...variables, offset, limit },
        branch,
        idempotent: true,
        data: DeviceListData,
      });
      return { count: page.DcimDevice.count, nodes: page.DcimDevice.edges.map((e) => e.node) };
    });
    return nodes.map(toDeviceSummary);
  }

  /**
   * Records what a change did to a device (the extension's deployment_state,
   * last_change_id and, when given, checksum and deploy time). An update of
   * absolute values, so repeating it is harmless and it is retried freely.
   */
  async setDeploymentState(input: SetDeploymentStateInput): Promise<DeploymentStateResult> {
    const parsed = parseInput(SetDeploymentStateInputSchema, input, 'setDeploymentState input');
    const id = await this.#auditedDeviceId(parsed.device, 'setDeploymentState');
    await this.#updateDeploymentState(id, parsed);
    return { device: parsed.device, id, state: parsed.state };
  }

  /**
   * Creates the audit record of one device's part of a change and returns its
   * id. Not idempotent by itself (a lost answer is not retried); callers that
   * may run twice use recordDeployment, which finds an existing record first.
   */
  async createChangeRecord(record: ChangeRecord): Promise<string> {
    const parsed = parseInput(ChangeRecord, record, 'createChangeRecord record');
    const deviceId = await this.#auditedDeviceId(parsed.device, 'createChangeRecord');
    return this.#createChangeRecord(parsed, deviceId);
  }

  /** Id of the change record of this change on this device, if one exists. */
  async findChangeRecord(changeId: string, device: string): Promise<string | undefined> {
    const id = parseInput(ChangeId, changeId, 'findChangeRecord change id');
    const name = parseInput(DeviceName, device, 'findChangeRecord device');
    return this.#findChangeRecord(id, name);
  }

  /**
   * The updateDeviceStatus activity's whole job: the change record (when
   * given, with the branch and time its intent was read) and the device's
   * deployment state, both on the default branch whatever branch the intent
   * came from. Safe to repeat: an existing record of the same change and
   * device is reused, never duplicated, and the state update sets absolute
   * values.
   *
   * With `onlyIfCurrent`, the deployment state is written only while the
   * device's last_change_id is still this change (a device no change has
   * recorded yet has none, so it is not written either); the change record
   * is written regardless. `stateWritten` says which happened.
   */
  async recordDeployment(input: z.input<typeof UpdateDeviceStatusInput>): Promise<RecordDeploymentResult> {
    const parsed = parseInput(UpdateDeviceStatusInput, input, 'recordDeployment input');
    const { record } = parsed;
    if (record && (record.device !== parsed.device || record.changeId !== parsed.changeId)) {
      throw new SynapseError(
        'InvalidInput',
        `recordDeployment input: record is for ${record.device} change ${record.changeId}, but the input names ${parsed.device} change ${parsed.changeId}`,
        { fields: ['record.device', 'record.changeId'] },
      );
    }
    const deviceId = await this.#auditedDeviceId(parsed.device, 'recordDeployment');

    // The audit record first: if the state update then fails, the retry finds
    // the record and only the state remains to write.
    let changeRecordId: string | undefined;
    if (record) changeRecordId = await this.#ensureChangeRecord(record, deviceId);

    // Not atomic: Infrahub has no compare-and-set on an attribute, so this is
    // a read, then a write. Another change that writes its state between the
    // read's answer and this write landing (one round trip, longer while the
    // client retries the write after a 5xx or a 429) is overwritten. The
    // device workflow's lock keeps standard changes out of that window; an
    // emergency pre-empting the device at that very moment is what can fall
    // into it.
    const current = parsed.onlyIfCurrent ? await this.#lastChangeId(deviceId, parsed.device) : undefined;
    const stateWritten = !parsed.onlyIfCurrent || current === parsed.changeId;
    if (stateWritten) {
      await this.#updateDeploymentState(deviceId, {
        state: parsed.state,
        changeId: parsed.changeId,
        configChecksum: parsed.configChecksum,
        // The record's finish time, not "now": a retry writes the same value.
        deployedAt: parsed.state === 'deployed' ? (record?.finishedAt ?? new Date().toISOString()) : undefined,
      });
    } else {
      this.#config.logger?.debug?.(`Infrahub recordDeployment: ${parsed.device} is now on change ${current ?? '(none)'}, so ${parsed.changeId} leaves its deployment state alone`, {
        operation: 'recordDeployment',
      });
    }
    return { device: parsed.device, state: parsed.state, ...(changeRecordId === undefined ? {} : { changeRecordId }), stateWritten };
  }

  /** Creates a branch from the default branch (data only; not synced with git). */
  async createBranch(name: string, options: CreateBranchOptions = {}): Promise<BranchResult> {
    const branch = parseInput(BranchName, name, 'createBranch name');
    try {
      const result = await this.#run({
        operation: 'createBranch',
        document: CREATE_BRANCH,
        variables: { name: branch, description: options.description ?? null },
        idempotent: false,
        data: CreateBranchData,
      });
      if (!result.BranchCreate.ok) throw this.#notOk('createBranch', 'BranchCreate', undefined);
      return { name: result.BranchCreate.object?.name ?? branch, id: result.BranchCreate.object?.id ?? undefined, created: true };
    } catch (err) {
      if (!isSynapseError(err, 'InfrahubQueryFailed') || !/already exist/i.test(err.message)) throw err;
      if (options.existOk) return { name: branch, created: false };
      throw new SynapseError('InfrahubQueryFailed', err.message, { ...err.details, reason: 'branch-exists' }, { cause: err });
    }
  }

  async branchExists(name: string): Promise<boolean> {
    const branch = parseInput(BranchName, name, 'branchExists name');
    const result = await this.#run({
      operation: 'branchExists',
      document: BRANCH_BY_NAME,
      variables: { name: branch },
      idempotent: true,
      data: BranchByNameData,
    });
    return result.Branch.some((b) => b.name === branch);
  }

  /** Closes pooled connections; requests waiting to retry fail. */
  close(): void {
    this.#transport.close();
  }

  // -------------------------------------------------------------------------

  #run<S extends z.ZodType>(call: GraphqlCall<S>): Promise<z.infer<S>> {
    return this.#graphql.execute(call);
  }

  #branchOption(options: BranchOption, operation: string): string | undefined {
    if (options.branch === undefined) return undefined;
    return parseInput(BranchName, options.branch, `${operation} branch`);
  }

  #atOption(options: IntentReadOptions, operation: string): { at?: string } {
    if (options.at === undefined) return {};
    return parseInput(z.object({ at: ReadAt }), { at: options.at }, `${operation} options`);
  }

  #branchName(branch: string | undefined): string {
    return this.#graphql.endpoint(branch).branch;
  }

  #ctx(operation: string, branch: string | undefined, query?: string): CallContext {
    const endpoint = this.#graphql.endpoint(branch);
    return { operation, query, branch: endpoint.branch, address: this.#config.address, endpoint: endpoint.path };
  }

  #single<T>(list: { count: number; edges: { node: T }[] }, device: string, operation: string, branch: string | undefined): T {
    if (list.count === 0 || list.edges.length === 0) {
      throw infrahubError('IntentNotFound', this.#ctx(operation, branch), `no device named "${device}" on branch "${this.#branchName(branch)}"`, {
        device,
      });
    }
    if (list.edges.length > 1) {
      // Device names are unique in the schema; two answers mean the filter was not applied.
      throw infrahubError('InfrahubQueryFailed', this.#ctx(operation, branch), `${list.edges.length} devices answered to name "${device}"`, { device });
    }
    return list.edges[0]!.node;
  }

  /**
   * The device's id on the default branch, where audit data is written. A
   * device that exists only on another branch has no place there yet.
   */
  async #auditedDeviceId(device: string, operation: string): Promise<string> {
    const result = await this.#run({ operation, document: DEVICE_ID, variables: { name: device }, idempotent: true, data: DeviceIdData });
    try {
      return this.#single(result.DcimDevice, device, operation, undefined).id;
    } catch (err) {
      if (!isSynapseError(err, 'IntentNotFound')) throw err;
      throw new SynapseError(
        'IntentNotFound',
        `${err.message}; deployment state and change records are kept on the default branch, so a device that exists only on another branch is recorded once that branch is merged`,
        err.details,
        { cause: err },
      );
    }
  }

  /** SynapseRoutingPolicy objects of these names, with their statements and prefix sets; names none has are simply absent. */
  async #routingPolicies(names: string[], branch: string | undefined, at: string | undefined): Promise<InfrahubRoutingPolicy[]> {
    if (names.length === 0) return [];
    const nodes = await this.#allPages('getDeviceIntent', branch, DEFAULT_PAGE_SIZE, async (offset, limit) => {
      const page = await this.#run({
        operation: 'getDeviceIntent',
        document: ROUTING_POLICIES,
        variables: { names, offset, limit },
        branch,
        ...(at === undefined ? {} : { at }),
        idempotent: true,
        data: RoutingPoliciesData,
      });
      return { count: page.SynapseRoutingPolicy.count, nodes: page.SynapseRoutingPolicy.edges.map((e) => e.node) };
    });
    return nodes.map(toRoutingPolicy);
  }

  /** The device's last_change_id on the default branch (undefined: none recorded yet). */
  async #lastChangeId(deviceId: string, device: string): Promise<string | undefined> {
    const operation = 'recordDeployment';
    const result = await this.#run({ operation, document: DEVICE_LAST_CHANGE, variables: { ids: [deviceId] }, idempotent: true, data: DeviceLastChangeData });
    // Filter again on the client: a server ignoring `ids` must not hand back another device's change.
    const node = result.DcimDevice.edges.find((e) => e.node.id === deviceId)?.node;
    if (!node) throw infrahubError('IntentNotFound', this.#ctx(operation, undefined), `device "${device}" (${deviceId}) is gone from the default branch`, { device });
    return node.last_change_id.value ?? undefined;
  }

  async #updateDeploymentState(deviceId: string, input: { state: DeploymentState; changeId: string; configChecksum?: string; deployedAt?: string }): Promise<void> {
    const data: Record<string, unknown> = {
      id: deviceId,
      deployment_state: { value: input.state },
      last_change_id: { value: input.changeId },
    };
    if (input.configChecksum !== undefined) data.last_config_checksum = { value: input.configChecksum };
    if (input.deployedAt !== undefined) data.last_deployed_at = { value: input.deployedAt };
    const result = await this.#run({
      operation: 'setDeploymentState',
      document: SET_DEPLOYMENT_STATE,
      variables: { data },
      idempotent: true,
      data: SetDeploymentStateData,
    });
    if (!result.DcimDeviceUpdate.ok) throw this.#notOk('setDeploymentState', 'DcimDeviceUpdate', undefined);
  }

  async #findChangeRecord(changeId: string, device: string): Promise<string | undefined> {
    const result = await this.#run({
      operation: 'findChangeRecord',
      document: FIND_CHANGE_RECORD,
      variables: { changeId, device },
      idempotent: true,
      data: FindChangeRecordData,
    });
    // Filter again on the client: a server ignoring one filter must not hand back another change's record.
    const match = result.SynapseChangeRecord.edges.find((e) => e.node.change_id.value === changeId && e.node.device?.node?.name.value === device);
    return match?.node.id;
  }

  async #createChangeRecord(record: ChangeRecord, deviceId: string): Promise<string> {
    const data: Record<string, unknown> = {
      change_id: { value: record.changeId },
      change_kind: { value: record.kind },
      requester: { value: record.requester },
      reason: { value: record.reason },
      outcome: { value: record.outcome },
      diff_summary: { value: record.diffSummary },
      started_at: { value: record.startedAt },
      finished_at: { value: record.finishedAt },
      device: { id: deviceId },
    };
    if (record.ticket !== undefined) data.ticket = { value: record.ticket };
    if (record.detail !== undefined) data.detail = { value: record.detail };
    if (record.workflowId !== undefined) data.workflow_id = { value: record.workflowId };
    if (record.intent) Object.assign(data, intentFields(record.intent));
    if (record.backup) {
      data.backup_id = { value: record.backup.id };
      data.backup_sha256 = { value: record.backup.sha256 };
      data.backup_size_bytes = { value: record.backup.sizeBytes };
      data.backup_taken_at = { value: record.backup.takenAt };
    }
    const result = await this.#run({
      operation: 'createChangeRecord',
      document: CREATE_CHANGE_RECORD,
      variables: { data },
      idempotent: false,
      data: CreateChangeRecordData,
    });
    const id = result.SynapseChangeRecordCreate.object?.id;
    if (!result.SynapseChangeRecordCreate.ok || id === undefined) throw this.#notOk('createChangeRecord', 'SynapseChangeRecordCreate', undefined);
    return id;
  }

  /**
   * The last word of a change on a device: what happened and when it ended.
   * A change may record twice (an emergency records `deployed`, then
   * `reverted` when its time to live runs out); the record keeps one row per
   * change and device, updated with absolute values, so a retry is harmless.
   */
  async #updateChangeRecord(id: string, record: ChangeRecord): Promise<void> {
    const data: Record<string, unknown> = {
      id,
      outcome: { value: record.outcome },
      diff_summary: { value: record.diffSummary },
      finished_at: { value: record.finishedAt },
    };
    if (record.detail !== undefined) data.detail = { value: record.detail };
    if (record.intent) Object.assign(data, intentFields(record.intent));
    const result = await this.#run({
      operation: 'updateChangeRecord',
      document: UPDATE_CHANGE_RECORD,
      variables: { data },
      idempotent: true,
      data: UpdateChangeRecordData,
    });
    if (!result.SynapseChangeRecordUpdate.ok) throw this.#notOk('updateChangeRecord', 'SynapseChangeRecordUpdate', undefined);
  }

  /**
   * Find-or-create, then the record's outcome brought up to date. A create whose answer was lost (timeout, 5xx) may or may
   * not have landed, so it is never simply repeated: the next round looks
   * again first. A create refused for violating the (change_id, device)
   * uniqueness constraint means a concurrent run won the race; its record is
   * the one to use.
   */
  async #ensureChangeRecord(record: ChangeRecord, deviceId: string): Promise<string> {
    const rounds = this.#config.retry.maxAttempts;
    let lastError: SynapseError | undefined;
    for (let round = 1; round <= rounds; round++) {
      const existing = await this.#findChangeRecord(record.changeId, record.device);
      if (existing !== undefined) {
        await this.#updateChangeRecord(existing, record);
        return existing;
      }
      try {
        return await this.#createChangeRecord(record, deviceId);
      } catch (err) {
        if (!(err instanceof SynapseError)) throw err;
        const raced = err.type === 'InfrahubQueryFailed' && /already exists|uniqueness|unique constraint|violates/i.test(err.message);
        const unknownOutcome = err.type === 'InfrahubUnavailable';
        if (!raced && !unknownOutcome) throw err;
        lastError = err;
        this.#config.logger?.warn(`Infrahub recordDeployment: create of change record ${record.changeId}/${record.device} ${raced ? 'raced another run' : 'had an unknown outcome'}; looking it up again`, {
          operation: 'recordDeployment',
          round,
        });
      }
    }
    throw lastError!;
  }

  async #allPages<T>(
    operation: string,
    branch: string | undefined,
    pageSize: number,
    fetchPage: (offset: number, limit: number) => Promise<{ count: number; nodes: (T & { id: string })[] }>,
  ): Promise<(T & { id: string })[]> {
    const seen = new Map<string, T & { id: string }>();
    for (let offset = 0; ; offset += pageSize) {
      const page = await fetchPage(offset, pageSize);
      for (const node of page.nodes) seen.set(node.id, node);
      if (offset + pageSize >= page.count) break;
      if (page.nodes.length === 0) {
        // The count promised more, yet the page is empty: nodes were deleted mid-listing.
        this.#config.logger?.warn(`Infrahub ${operation}: page at offset ${offset} empty though count is ${page.count}`, { operation, branch });
        break;
      }
    }
    return [...seen.values()];
  }

  #notOk(operation: string, mutation: string, branch: string | undefined): SynapseError {
    return infrahubError('InfrahubQueryFailed', this.#ctx(operation, branch, mutation), `${mutation} answered ok: false`);
  }
}
