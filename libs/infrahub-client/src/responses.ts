import { z } from 'zod';
import { infrahubError, type CallContext } from './errors';
import type { HttpResponse } from './transport';

/**
 * The shapes the client expects back, checked with zod so that a server
 * answering in another shape (an older schema, a proxy's error page, a
 * simulator bug) fails with the query and the offending field named, instead
 * of an `undefined` surfacing three calls later.
 */

/** The JSON of a 2xx answer; the transport has already retried or refused bodies that do not parse. */
export function parseJsonBody(response: HttpResponse, ctx: CallContext): unknown {
  if (response.json !== undefined) return response.json;
  const start = response.body.trim().slice(0, 80).replace(/\s+/g, ' ');
  throw infrahubError('InfrahubQueryFailed', ctx, `response (HTTP ${response.status}) is not JSON: "${start}"`, { status: response.status });
}

export function parseShape<S extends z.ZodType>(schema: S, value: unknown, ctx: CallContext, root?: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5).map((issue) => {
    const path = [...(root ? [root] : []), ...issue.path.map(String)];
    return { field: path.length ? path.join('.') : '(root)', message: issue.message };
  });
  const text = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  throw infrahubError('InfrahubQueryFailed', ctx, `unexpected response shape: ${text}`, { fields: issues.map((i) => i.field), issues });
}

/** The envelope of every GraphQL answer. `errors` holds strings on a 400, objects otherwise. */
export const GraphqlEnvelope = z.object({
  data: z.unknown().optional(),
  errors: z.array(z.unknown()).optional(),
});

/** Messages from an `errors` array in either of Infrahub's two forms. */
export function errorMessages(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const errors = (body as { errors?: unknown }).errors;
  const detail = (body as { detail?: unknown }).detail;
  const list = Array.isArray(errors) ? errors : [];
  const messages = list.map((e) => {
    if (typeof e === 'string') return e;
    if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
      const { message, path } = e as { message: string; path?: unknown };
      return Array.isArray(path) && path.length ? `${message} (at ${path.join('.')})` : message;
    }
    return JSON.stringify(e);
  });
  // FastAPI's own errors arrive as {detail}: a string, or (422) a list of {loc, msg}.
  if (messages.length === 0 && typeof detail === 'string') messages.push(detail);
  if (messages.length === 0 && Array.isArray(detail)) {
    for (const d of detail) {
      const { msg, loc } = (d ?? {}) as { msg?: unknown; loc?: unknown };
      messages.push(typeof msg === 'string' ? (Array.isArray(loc) ? `${loc.join('.')}: ${msg}` : msg) : JSON.stringify(d));
    }
  }
  return messages;
}

// ---------------------------------------------------------------------------
// Node shapes. Infrahub wraps every attribute as {value} and every
// relationship as {node} (cardinality one, null when unset) or
// {edges: [{node}]} (cardinality many). Optional attributes come back as
// {value: null}; a field a server does not know is an error, not a null.

const value = <T extends z.ZodType>(inner: T) => z.object({ value: inner });
const maybe = <T extends z.ZodType>(inner: T) => z.object({ value: inner.nullable() });
const one = <T extends z.ZodType>(node: T) => z.object({ node: node.nullable() }).nullable();
const many = <T extends z.ZodType>(node: T) => z.object({ edges: z.array(z.object({ node })) });
const list = <T extends z.ZodType>(node: T) => z.object({ count: z.number().int().nonnegative(), edges: z.array(z.object({ node })) });

const Address = z.object({ address: value(z.string().min(1)) });
const AutonomousSystem = z.object({ asn: value(z.number().int()) });

const DeviceFields = {
  id: z.string().min(1),
  name: value(z.string().min(1)),
  description: maybe(z.string()),
  status: maybe(z.string()),
  role: maybe(z.string()),
  deployment_state: maybe(z.string()),
  last_change_id: maybe(z.string()),
  last_config_checksum: maybe(z.string()),
  last_deployed_at: maybe(z.string()),
  platform: one(z.object({ name: value(z.string().min(1)) })),
  asn: one(AutonomousSystem),
};

export const DeviceNode = z.object(DeviceFields);
export type DeviceNode = z.infer<typeof DeviceNode>;

export const InterfaceNode = z.object({
  id: z.string().min(1),
  __typename: z.string().optional(),
  name: value(z.string().min(1)),
  description: maybe(z.string()),
  mtu: maybe(z.number().int()),
  status: maybe(z.string()),
  role: maybe(z.string()),
  // Present on layer-3 interfaces only (the inline fragment on InterfaceLayer3).
  ip_addresses: many(Address).optional(),
});
export type InterfaceNode = z.infer<typeof InterfaceNode>;

export const DeviceDetailData = z.object({
  DcimDevice: list(DeviceNode.extend({ interfaces: many(InterfaceNode) })),
});
export type DeviceDetailNode = z.infer<typeof DeviceDetailData>['DcimDevice']['edges'][number]['node'];

const PeerGroup = z.object({
  name: value(z.string().min(1)),
  import_policies: maybe(z.string()),
  export_policies: maybe(z.string()),
});

const DeviceRef = z.object({ name: value(z.string().min(1)) });

/** An IpamIPAddress with the interface that holds it; `device` is absent when that interface is not a DcimInterface (the fragment did not apply). */
const RemoteAddress = Address.extend({ interface: one(z.object({ device: one(DeviceRef).optional() })) });

export const BgpSessionNode = z.object({
  id: z.string().min(1),
  description: maybe(z.string()),
  status: maybe(z.string()),
  session_type: maybe(z.string()),
  role: maybe(z.string()),
  import_policies: maybe(z.string()),
  export_policies: maybe(z.string()),
  local_as: one(AutonomousSystem),
  remote_as: one(AutonomousSystem),
  local_ip: one(Address),
  remote_ip: one(RemoteAddress),
  peer_group: one(PeerGroup),
  peer_session: one(z.object({ id: z.string().min(1), device: one(DeviceRef) })),
});
export type BgpSessionNode = z.infer<typeof BgpSessionNode>;

export const BgpSessionsData = z.object({ RoutingBGPSession: list(BgpSessionNode) });

export const DeviceListData = z.object({ DcimDevice: list(DeviceNode) });

const PrefixSetNode = z.object({
  id: z.string().min(1),
  name: value(z.string().min(1)),
  prefixes: many(z.object({ prefix: value(z.string().min(1)), mask_length_range: maybe(z.string()) })),
});

export const RoutingPolicyNode = z.object({
  id: z.string().min(1),
  name: value(z.string().min(1)),
  default_action: maybe(z.string()),
  statements: many(
    z.object({
      id: z.string().min(1),
      name: value(z.string().min(1)),
      sequence: maybe(z.number().int()),
      action: maybe(z.string()),
      match_protocol: maybe(z.string()),
      match_prefix_set: one(PrefixSetNode),
    }),
  ),
});
export type RoutingPolicyNode = z.infer<typeof RoutingPolicyNode>;

export const RoutingPoliciesData = z.object({ SynapseRoutingPolicy: list(RoutingPolicyNode) });

export const DeviceIdData = z.object({
  DcimDevice: list(z.object({ id: z.string().min(1), name: value(z.string().min(1)) })),
});

export const DeviceLastChangeData = z.object({
  DcimDevice: list(z.object({ id: z.string().min(1), last_change_id: maybe(z.string()) })),
});

const MutationResult = z.object({ ok: z.boolean(), object: z.object({ id: z.string().min(1) }).nullable() });

export const SetDeploymentStateData = z.object({ DcimDeviceUpdate: MutationResult });

export const ChangeRecordNode = z.object({
  id: z.string().min(1),
  change_id: value(z.string().min(1)),
  change_kind: maybe(z.string()),
  outcome: maybe(z.string()),
  device: one(z.object({ id: z.string().min(1), name: value(z.string().min(1)) })),
});
export const FindChangeRecordData = z.object({ SynapseChangeRecord: list(ChangeRecordNode) });

export const CreateChangeRecordData = z.object({ SynapseChangeRecordCreate: MutationResult });
export const UpdateChangeRecordData = z.object({ SynapseChangeRecordUpdate: MutationResult });

export const BranchByNameData = z.object({ Branch: z.array(z.object({ id: z.string().min(1).nullable().optional(), name: z.string().min(1) })) });

export const CreateBranchData = z.object({
  BranchCreate: z.object({ ok: z.boolean(), object: z.object({ id: z.string().nullable().optional(), name: z.string().min(1) }).nullable() }),
});
