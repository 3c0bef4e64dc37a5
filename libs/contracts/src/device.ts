import { z } from 'zod';

/** A device's name as the source of truth and the simulator know it. */
export const DeviceName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'device name: letters, digits, ".", "_" or "-", at most 63 characters');
export type DeviceName = z.infer<typeof DeviceName>;

/** A gNMI path in the `/a[k=v]/b` string form (see gnmi-client's path codec). */
export const GnmiPathString = z.string().startsWith('/', 'gNMI path must start with "/"');
export type GnmiPathString = z.infer<typeof GnmiPathString>;

/** host:port of a gNMI target. */
export const TargetAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'address must be host:port');

/**
 * How to reach a device. Credentials are deliberately absent: activities look
 * them up by device name from the environment or a file, so they never enter
 * workflow history.
 */
export const DeviceTransport = z.discriminatedUnion('mode', [
  /**
   * Unencrypted gRPC (containerlab's 57401, a simulator on loopback). The
   * username and password would cross the network readable by anyone on the
   * path, so a client sends them only when allowCredentials says it may.
   */
  z.object({ mode: z.literal('plaintext'), allowCredentials: z.boolean().optional() }),
  z.object({ mode: z.literal('skip-verify') }),
  z.object({ mode: z.literal('tls'), caFile: z.string().min(1).optional(), serverName: z.string().min(1).optional() }),
]);
export type DeviceTransport = z.infer<typeof DeviceTransport>;

/** Secure by default: TLS, the certificate verified against the CA given or else the system's trust store. */
export const DEFAULT_DEVICE_TRANSPORT = { mode: 'tls' } as const satisfies DeviceTransport;

export const DeviceTarget = z.object({
  name: DeviceName,
  address: TargetAddress,
  transport: DeviceTransport.default(DEFAULT_DEVICE_TRANSPORT),
  /** Deadline of one gNMI call. */
  timeoutMs: z.number().int().positive().max(600_000).default(10_000),
});
export type DeviceTarget = z.infer<typeof DeviceTarget>;

export const ChangeId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'change id: letters, digits, ".", "_", ":" or "-"');

/**
 * Where a backup lives. Workflow history carries this, never the config:
 * configs are large and may hold secrets (hashed passwords, keys).
 */
export const BackupRef = z.object({
  device: DeviceName,
  /** Commit (git store) or other store-specific id. */
  id: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().nonnegative(),
  takenAt: z.string().datetime(),
});
export type BackupRef = z.infer<typeof BackupRef>;

/**
 * A rendered config kept out of workflow history. Configs are large (a
 * leaf's is tens of KiB), may hold secrets, and every copy in history is
 * written to the server's database and decoded again on every replay; the
 * workflow carries this instead. The infrahub worker writes the document to
 * the document store both workers reach (SYNAPSE_DOCUMENT_DIR: a shared
 * volume in production) under its sha256, which is also the intent's
 * checksum, so the name is the check: whoever reads it recomputes the digest
 * and refuses a document that does not match.
 */
export const DocumentRef = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().nonnegative(),
});
export type DocumentRef = z.infer<typeof DocumentRef>;

export const BackupRunningConfigInput = z.object({
  device: DeviceName,
  changeId: ChangeId,
  workflowId: z.string().min(1).optional(),
});
export type BackupRunningConfigInput = z.infer<typeof BackupRunningConfigInput>;

export const StoreBackupInput = z.object({
  backup: BackupRef,
  changeId: ChangeId,
  workflowId: z.string().min(1),
  reason: z.string().optional(),
});
export type StoreBackupInput = z.infer<typeof StoreBackupInput>;

/** Rendered config for the managed paths: path -> JSON_IETF document for that subtree. */
export const ManagedConfig = z.record(GnmiPathString, z.unknown()).refine((c) => Object.keys(c).length > 0, {
  message: 'at least one managed path',
});
export type ManagedConfig = z.infer<typeof ManagedConfig>;

/**
 * What the intent says about a device beyond the config it renders: the
 * interfaces no change may touch whatever an ownership record says (ports
 * with the management role), and the routing policies it names without
 * defining, which must already exist on the device. Computed once with the
 * rendered config (device-config's ownershipScope) and carried with it to
 * the plan, the deploy and drift.
 */
export const OwnershipScope = z.object({
  protectedInterfaces: z.array(z.string().min(1)).default([]),
  requiredPolicies: z
    .array(z.object({ group: z.string().min(1), direction: z.enum(['import', 'export']), policy: z.string().min(1) }))
    .default([]),
});
export type OwnershipScope = z.infer<typeof OwnershipScope>;
export type OwnershipScopeInput = z.input<typeof OwnershipScope>;

/** One gNMI Update: the value is merged into what the device has at the path. */
export const PathUpdate = z.object({ path: GnmiPathString, value: z.unknown() });
export type PathUpdate = z.infer<typeof PathUpdate>;

/**
 * Where no patch may go: the management interface and network instance and
 * the system tree. Losing them loses the device, and with it the rollback.
 */
export const PROTECTED_PATH_PREFIXES = ['/system', '/interface[name=mgmt0]', '/network-instance[name=mgmt]'] as const;

/** An explicit change, as gNMI updates (merged) and deletes, applied in one Set. */
export const ConfigPatch = z
  .object({
    update: z.array(PathUpdate).default([]),
    delete: z.array(GnmiPathString).default([]),
  })
  .superRefine((patch, ctx) => {
    if (patch.update.length + patch.delete.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['update'], message: 'an empty patch: give at least one update or delete' });
    }
    const check = (path: string, where: (string | number)[]) => {
      if (path === '/') ctx.addIssue({ code: 'custom', path: where, message: 'the root cannot be patched: use the intent (source kind "intent") for a whole config' });
      const reserved = PROTECTED_PATH_PREFIXES.find((prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}[`));
      if (reserved) ctx.addIssue({ code: 'custom', path: where, message: `${path} is under ${reserved}, which no change may touch (management access)` });
    };
    patch.update.forEach((u, i) => check(u.path, ['update', i, 'path']));
    patch.delete.forEach((p, i) => check(p, ['delete', i]));
  });
export type ConfigPatch = z.infer<typeof ConfigPatch>;
export type ConfigPatchInput = z.input<typeof ConfigPatch>;

/**
 * What one deploy writes, as the three parts of its one Set. Also what a
 * rollback undoes and a confirm checks: the same shape says which paths the
 * change touched.
 */
export const DeployedChange = z.object({
  /**
   * The rendered intent (path -> owned subtree): each entry's owned leaves
   * are merged into the device's entry, leaving every leaf Synapse does not
   * render as it is; leaf-lists and entries owned whole (policies, prefix
   * sets) are replaced. device-config's deployOperations.
   */
  config: z.record(GnmiPathString, z.unknown()).default({}),
  /** The same rendered config by reference (the document store), instead of `config`: what workflows since configs left history send. */
  configRef: DocumentRef.optional(),
  /** Values to merge (an emergency patch), in the same atomic Set. */
  update: z.array(PathUpdate).default([]),
  /** Paths to remove in the same atomic Set (the plan's deletions, or an emergency patch's deletes). */
  delete: z.array(GnmiPathString).default([]),
});
export type DeployedChange = z.infer<typeof DeployedChange>;
export type DeployedChangeInput = z.input<typeof DeployedChange>;

export const DeployConfigInput = DeployedChange.extend({
  device: DeviceName,
  changeId: ChangeId,
  /**
   * Ask the device to revert by itself unless confirmed within this window;
   * must exceed the validation window. Omitted: plain Set.
   */
  commitConfirmed: z.object({ rollbackDurationSeconds: z.number().int().min(30).max(86_400) }).optional(),
}).refine((input) => Object.keys(input.config).length + input.update.length + input.delete.length > 0 || input.configRef !== undefined, {
  message: 'nothing to deploy: no config, update or delete',
  path: ['config'],
});
export type DeployConfigInput = z.infer<typeof DeployConfigInput>;

export const DeployResult = z.object({
  device: DeviceName,
  replacedPaths: z.array(GnmiPathString),
  updatedPaths: z.array(GnmiPathString).default([]),
  deletedPaths: z.array(GnmiPathString).default([]),
  /** Set when the change awaits confirmation (commit-confirmed). */
  commitId: z.string().optional(),
  deviceTimestamp: z.string(),
});
export type DeployResult = z.infer<typeof DeployResult>;

export const ConfirmCommitInput = z.object({
  device: DeviceName,
  commitId: z.string().min(1),
  /**
   * What the deploy wrote. A confirm whose answer was lost is retried and
   * finds no commit pending: with this, the device is read back and the
   * confirm counts as done when the deployed config is still in place.
   */
  deployed: DeployedChange.optional(),
});
export type ConfirmCommitInput = z.infer<typeof ConfirmCommitInput>;

export const RollbackConfigInput = z.object({
  device: DeviceName,
  backup: BackupRef,
  /** A pending confirmed commit: cancelling it restores the pre-change config exactly. */
  commitId: z.string().optional(),
  /** What the change wrote: the rollback restores (and verifies) these paths from the backup and nothing else. */
  touched: DeployedChange,
});
export type RollbackConfigInput = z.infer<typeof RollbackConfigInput>;

export const RollbackResult = z.object({
  device: DeviceName,
  /**
   * cancel-commit: the device restored its pre-commit config; restore: one Set
   * put the backup's values back on the touched paths; already-identical: the
   * device already matched the backup there (it reverted by itself), nothing
   * was written.
   */
  method: z.enum(['cancel-commit', 'restore', 'already-identical']),
  /** The touched paths equal the backup in canonical form. */
  verified: z.boolean(),
  mismatchedPaths: z.array(GnmiPathString).default([]),
});
export type RollbackResult = z.infer<typeof RollbackResult>;

/** After a deploy is confirmed: what Synapse now owns on the device (the rendered config it deployed). */
export const RecordOwnershipInput = z.object({
  device: DeviceName,
  changeId: ChangeId,
  workflowId: z.string().min(1),
  config: ManagedConfig,
});
export type RecordOwnershipInput = z.infer<typeof RecordOwnershipInput>;

export const RecordOwnershipResult = z.object({
  device: DeviceName,
  /** The store's record (a git commit). */
  commit: z.string().min(1),
  /** Checksum of the owned config recorded. */
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
});
export type RecordOwnershipResult = z.infer<typeof RecordOwnershipResult>;

export const ExpectedBgpNeighbor = z.object({
  peerAddress: z.string().min(1),
  peerAs: z.number().int().min(1).max(4_294_967_295).optional(),
});

export const ValidateBgpInput = z.object({
  device: DeviceName,
  networkInstance: z.string().min(1).default('default'),
  neighbors: z.array(ExpectedBgpNeighbor),
  settleTimeoutSeconds: z.number().positive().max(3600),
});
export type ValidateBgpInput = z.infer<typeof ValidateBgpInput>;

export const ExpectedInterface = z.object({
  name: z.string().min(1),
  adminState: z.enum(['enable', 'disable']),
  operState: z.enum(['up', 'down']),
});

export const ValidateInterfacesInput = z.object({
  device: DeviceName,
  interfaces: z.array(ExpectedInterface),
  settleTimeoutSeconds: z.number().positive().max(3600),
});
export type ValidateInterfacesInput = z.infer<typeof ValidateInterfacesInput>;

/** One thing validated: a neighbor or an interface, with why it failed. */
export const ValidationCheck = z.object({
  subject: z.string(),
  expected: z.string(),
  actual: z.string(),
  ok: z.boolean(),
  reason: z.string().optional(),
});

export const ValidationResult = z.object({
  device: DeviceName,
  kind: z.enum(['bgp', 'interfaces']),
  passed: z.boolean(),
  checks: z.array(ValidationCheck),
  durationMs: z.number().nonnegative(),
});
export type ValidationResult = z.infer<typeof ValidationResult>;

/** The operational state a change compares against: BGP sessions and interfaces, as one read of the device saw them. */
export const DeviceStates = z.object({
  device: DeviceName,
  /** Peer address -> session-state (established, active, idle, …), default network-instance. */
  sessions: z.record(z.string(), z.string()),
  /** Interface name -> admin and oper state. */
  interfaces: z.record(z.string(), z.object({ admin: z.string(), oper: z.string() })),
});
export type DeviceStates = z.infer<typeof DeviceStates>;

export const ReadDeviceStatesInput = z.object({
  devices: z.array(DeviceName).min(1, 'at least one device').max(500),
  /** Devices read at once. */
  concurrency: z.number().int().min(1).max(100).default(10),
});
export type ReadDeviceStatesInput = z.infer<typeof ReadDeviceStatesInput>;

/** Per device, in the input's order: its states, or why they could not be read (the batch goes on). */
export const ReadDeviceStatesResult = z.object({
  devices: z.array(z.union([DeviceStates, z.object({ device: DeviceName, unreachable: z.string().min(1) })])),
});
export type ReadDeviceStatesResult = z.infer<typeof ReadDeviceStatesResult>;
