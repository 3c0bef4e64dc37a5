import {
  GraphQLBoolean,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLScalarType,
} from 'graphql';
import { stableId } from '../data/ids';
import { networkFacts } from '../data/ip';
import type { NodeRecord } from '../data/store';
import type { AttributeModel } from '../schema/schema-model';
import { BigIntScalar, GenericScalar } from './scalars';

/**
 * Attribute values are objects in Infrahub's GraphQL (`name { value }`),
 * with the value's metadata beside it. The simulator keeps no lineage, so
 * source and owner are always null and nothing is protected.
 */

/** What an attribute field resolves to. */
export interface AttributeView {
  id: string;
  value: unknown;
  is_default: boolean;
  is_from_profile: boolean;
  is_protected: boolean;
  is_visible: boolean;
  updated_at: string;
  source: null;
  owner: null;
  choice?: { label?: string; color?: string; description?: string };
}

export function attributeView(record: NodeRecord, attribute: AttributeModel): AttributeView {
  const stored = record.attributes[attribute.name];
  const value = stored?.value ?? null;
  return {
    id: stableId('attribute', record.id, attribute.name),
    value,
    is_default: stored?.isDefault ?? false,
    is_from_profile: false,
    is_protected: false,
    is_visible: true,
    updated_at: stored?.updatedAt ?? record.updatedAt,
    source: null,
    owner: null,
    choice: attribute.choices?.find((c) => c.name === value),
  };
}

const Lineage = (name: string) =>
  new GraphQLObjectType({
    name,
    fields: { id: { type: GraphQLString }, display_label: { type: GraphQLString } },
  });
export const LineageSource = Lineage('LineageSource');
export const LineageOwner = Lineage('LineageOwner');

const commonFields = {
  id: { type: GraphQLString },
  is_default: { type: GraphQLBoolean },
  is_from_profile: { type: GraphQLBoolean },
  is_protected: { type: GraphQLBoolean },
  is_visible: { type: GraphQLBoolean },
  updated_at: { type: GraphQLString },
  source: { type: LineageSource },
  owner: { type: LineageOwner },
};

const attributeType = (name: string, value: GraphQLOutputType, extra: Record<string, { type: GraphQLOutputType; resolve: (view: AttributeView) => unknown }> = {}) =>
  new GraphQLObjectType<AttributeView>({ name, fields: { value: { type: value }, ...commonFields, ...extra } });

function ipParts(view: AttributeView): { ip: string; length: number; v4: boolean } | undefined {
  if (typeof view.value !== 'string') return undefined;
  const [ip, length] = view.value.split('/');
  return { ip, length: Number(length), v4: !ip.includes(':') };
}

function v4Mask(length: number): string {
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  return [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join('.');
}

function v4Network(ip: string, length: number): string {
  const value = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - length);
  const network = value - (value % size);
  return `${[24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join('.')}/${length}`;
}

export const TextAttribute = attributeType('TextAttribute', GraphQLString);
export const NumberAttribute = attributeType('NumberAttribute', BigIntScalar);
export const CheckboxAttribute = attributeType('CheckboxAttribute', GraphQLBoolean);
export const JSONAttribute = attributeType('JSONAttribute', GenericScalar);
export const DropdownAttribute = attributeType('Dropdown', GraphQLString, {
  label: { type: GraphQLString, resolve: (v) => v.choice?.label ?? null },
  color: { type: GraphQLString, resolve: (v) => v.choice?.color ?? null },
  description: { type: GraphQLString, resolve: (v) => v.choice?.description ?? null },
});
export const IPHostAttribute = attributeType('IPHost', GraphQLString, {
  ip: { type: GraphQLString, resolve: (v) => ipParts(v)?.ip ?? null },
  prefixlen: { type: GraphQLInt, resolve: (v) => ipParts(v)?.length ?? null },
  version: { type: GraphQLInt, resolve: (v) => (ipParts(v) ? (ipParts(v)!.v4 ? 4 : 6) : null) },
  netmask: { type: GraphQLString, resolve: (v) => (ipParts(v)?.v4 ? v4Mask(ipParts(v)!.length) : null) },
  network: { type: GraphQLString, resolve: (v) => (ipParts(v)?.v4 ? v4Network(ipParts(v)!.ip, ipParts(v)!.length) : null) },
  with_prefixlen: { type: GraphQLString, resolve: (v) => v.value },
});

const facts = (view: AttributeView) => (typeof view.value === 'string' ? networkFacts(view.value) : undefined);
export const IPNetworkAttribute = attributeType('IPNetwork', GraphQLString, {
  broadcast_address: { type: GraphQLString, resolve: (v) => facts(v)?.broadcastAddress ?? null },
  hostmask: { type: GraphQLString, resolve: (v) => facts(v)?.hostmask ?? null },
  netmask: { type: GraphQLString, resolve: (v) => facts(v)?.netmask ?? null },
  prefixlen: { type: GraphQLInt, resolve: (v) => facts(v)?.prefixlen ?? null },
  num_addresses: { type: BigIntScalar, resolve: (v) => facts(v)?.numAddresses ?? null },
  version: { type: GraphQLInt, resolve: (v) => facts(v)?.version ?? null },
  with_hostmask: { type: GraphQLString, resolve: (v) => facts(v)?.withHostmask ?? null },
  with_netmask: { type: GraphQLString, resolve: (v) => facts(v)?.withNetmask ?? null },
});

/** The filter argument type of an attribute kind. */
export function filterScalar(attribute: AttributeModel): GraphQLScalarType {
  if (['Number', 'NumberPool', 'Bandwidth'].includes(attribute.kind)) return BigIntScalar;
  if (['Boolean', 'Checkbox'].includes(attribute.kind)) return GraphQLBoolean;
  return GraphQLString;
}

export function outputType(attribute: AttributeModel): GraphQLObjectType {
  switch (attribute.kind) {
    case 'Number':
    case 'NumberPool':
    case 'Bandwidth':
      return NumberAttribute;
    case 'Boolean':
    case 'Checkbox':
      return CheckboxAttribute;
    case 'Dropdown':
      return DropdownAttribute;
    case 'IPHost':
      return IPHostAttribute;
    case 'IPNetwork':
      return IPNetworkAttribute;
    case 'List':
    case 'JSON':
    case 'Any':
      return JSONAttribute;
    default:
      return TextAttribute;
  }
}

const inputType = (name: string, value: GraphQLInputType) =>
  new GraphQLInputObjectType({
    name,
    fields: {
      value: { type: value },
      is_default: { type: GraphQLBoolean },
      is_protected: { type: GraphQLBoolean },
      source: { type: GraphQLString },
      owner: { type: GraphQLString },
    },
  });

const inputs = {
  text: { create: inputType('TextAttributeCreate', GraphQLString), update: inputType('TextAttributeUpdate', GraphQLString) },
  number: { create: inputType('NumberAttributeCreate', BigIntScalar), update: inputType('NumberAttributeUpdate', BigIntScalar) },
  checkbox: { create: inputType('CheckboxAttributeCreate', GraphQLBoolean), update: inputType('CheckboxAttributeUpdate', GraphQLBoolean) },
  generic: { create: inputType('GenericAttributeCreate', GenericScalar), update: inputType('GenericAttributeUpdate', GenericScalar) },
};

export function attributeInputType(attribute: AttributeModel, mode: 'create' | 'update'): GraphQLInputObjectType {
  const scalar = filterScalar(attribute);
  if (['List', 'JSON', 'Any'].includes(attribute.kind)) return inputs.generic[mode];
  if (scalar === BigIntScalar) return inputs.number[mode];
  if (scalar === GraphQLBoolean) return inputs.checkbox[mode];
  return inputs.text[mode];
}
