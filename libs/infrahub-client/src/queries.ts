/**
 * Every GraphQL document the client sends, against the opsmill
 * schema-library (base/dcim.yml, extensions/routing_bgp) and Synapse's own
 * extension (tools/infrahub-sim/schema/synapse-extension.yml). Values travel
 * as variables, never spliced into the text, so a device name cannot change
 * the query. Each document is named: Infrahub logs the operation name, and
 * the client's errors quote it.
 */

/** Fields every device read selects, shared by the single-device and list queries. */
const DEVICE_FIELDS = `
      id
      name { value }
      description { value }
      status { value }
      role { value }
      deployment_state { value }
      last_change_id { value }
      last_config_checksum { value }
      last_deployed_at { value }
      platform { node { name { value } } }
      asn { node { asn { value } } }`;

export const DEVICE_DETAIL = `query DeviceDetail($name: String!) {
  DcimDevice(name__value: $name) {
    count
    edges { node {${DEVICE_FIELDS}
      interfaces { edges { node {
        id
        __typename
        name { value }
        description { value }
        mtu { value }
        status { value }
        role { value }
        ... on InterfaceLayer3 { ip_addresses { edges { node { address { value } } } } }
      } } }
    } }
  }
}`;

/**
 * A device's sessions with what says who is at the far end: the peer
 * session's device, and the device whose interface holds the remote address
 * (the library puts `device` on DcimInterface, not on InterfaceLayer3, hence
 * the fragment). Nested here so the far ends cost no round trip of their own.
 */
export const DEVICE_BGP_SESSIONS = `query DeviceBgpSessions($name: String!, $offset: Int!, $limit: Int!) {
  RoutingBGPSession(device__name__value: $name, offset: $offset, limit: $limit) {
    count
    edges { node {
      id
      description { value }
      status { value }
      session_type { value }
      role { value }
      import_policies { value }
      export_policies { value }
      local_as { node { asn { value } } }
      remote_as { node { asn { value } } }
      local_ip { node { address { value } } }
      remote_ip { node {
        address { value }
        interface { node { ... on DcimInterface { device { node { name { value } } } } } }
      } }
      peer_group { node { name { value } import_policies { value } export_policies { value } } }
      peer_session { node { id device { node { name { value } } } } }
    } }
  }
}`;

/**
 * The policies a device's peer groups name, in one query whatever their
 * number: each with its statements and the prefix sets they match, so the
 * intent is read in two round trips plus paging. A name no policy has is
 * simply not in the answer.
 */
export const ROUTING_POLICIES = `query RoutingPolicies($names: [String], $offset: Int!, $limit: Int!) {
  SynapseRoutingPolicy(name__values: $names, offset: $offset, limit: $limit) {
    count
    edges { node {
      id
      name { value }
      default_action { value }
      statements { edges { node {
        id
        name { value }
        sequence { value }
        action { value }
        match_protocol { value }
        match_prefix_set { node {
          id
          name { value }
          prefixes { edges { node { prefix { value } mask_length_range { value } } } }
        } }
      } } }
    } }
  }
}`;

export interface DeviceListFilters {
  roles?: string[];
  status?: string;
  names?: string[];
}

/**
 * The list query carries only the filters asked for: an absent filter must
 * mean "any", and a null filter argument is not guaranteed to.
 */
export function deviceListQuery(filters: DeviceListFilters): { document: string; variables: Record<string, unknown> } {
  const declarations = ['$offset: Int!', '$limit: Int!'];
  const args = ['offset: $offset', 'limit: $limit'];
  const variables: Record<string, unknown> = {};
  const add = (arg: string, variable: string, type: string, value: unknown) => {
    if (value === undefined) return;
    declarations.push(`$${variable}: ${type}`);
    args.push(`${arg}: $${variable}`);
    variables[variable] = value;
  };
  add('role__values', 'roles', '[String]', filters.roles);
  add('status__value', 'status', 'String', filters.status);
  add('name__values', 'names', '[String]', filters.names);
  const document = `query ListDevices(${declarations.join(', ')}) {
  DcimDevice(${args.join(', ')}) {
    count
    edges { node {${DEVICE_FIELDS}
    } }
  }
}`;
  return { document, variables };
}

export const DEVICE_ID = `query DeviceId($name: String!) {
  DcimDevice(name__value: $name) {
    count
    edges { node { id name { value } } }
  }
}`;

/** What recordDeployment's onlyIfCurrent compares against, read by id on the default branch just before the write. */
export const DEVICE_LAST_CHANGE = `query DeviceLastChange($ids: [ID]) {
  DcimDevice(ids: $ids) {
    count
    edges { node { id last_change_id { value } } }
  }
}`;

export const SET_DEPLOYMENT_STATE = `mutation SetDeploymentState($data: DcimDeviceUpdateInput!) {
  DcimDeviceUpdate(data: $data) {
    ok
    object { id }
  }
}`;

export const CHANGE_RECORD_FIELDS = `
      id
      change_id { value }
      change_kind { value }
      outcome { value }
      device { node { id name { value } } }`;

export const FIND_CHANGE_RECORD = `query FindChangeRecord($changeId: String!, $device: String!) {
  SynapseChangeRecord(change_id__value: $changeId, device__name__value: $device) {
    count
    edges { node {${CHANGE_RECORD_FIELDS}
    } }
  }
}`;

export const CREATE_CHANGE_RECORD = `mutation CreateChangeRecord($data: SynapseChangeRecordCreateInput!) {
  SynapseChangeRecordCreate(data: $data) {
    ok
    object { id }
  }
}`;

export const UPDATE_CHANGE_RECORD = `mutation UpdateChangeRecord($data: SynapseChangeRecordUpdateInput!) {
  SynapseChangeRecordUpdate(data: $data) {
    ok
    object { id }
  }
}`;

export const BRANCH_BY_NAME = `query BranchByName($name: String!) {
  Branch(name: $name) { id name }
}`;

export const CREATE_BRANCH = `mutation CreateBranch($name: String!, $description: String) {
  BranchCreate(data: { name: $name, description: $description, sync_with_git: false }) {
    ok
    object { id name }
  }
}`;
