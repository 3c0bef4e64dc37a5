import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { SEARCH_ATTRIBUTES, type ChangeKind } from '@synapse/contracts';

/** contracts names the types the way the Temporal CLI does; the SDK has its own constants. */
const SDK_TYPE = { KeywordList: SearchAttributeType.KEYWORD_LIST, Keyword: SearchAttributeType.KEYWORD } as const;

/** Typed keys, so a value of the wrong type does not compile. */
export const SEARCH_ATTRIBUTE_KEYS = {
  devices: defineSearchAttributeKey(SEARCH_ATTRIBUTES.devices.name, SDK_TYPE[SEARCH_ATTRIBUTES.devices.type]),
  changeId: defineSearchAttributeKey(SEARCH_ATTRIBUTES.changeId.name, SDK_TYPE[SEARCH_ATTRIBUTES.changeId.type]),
  changeKind: defineSearchAttributeKey(SEARCH_ATTRIBUTES.changeKind.name, SDK_TYPE[SEARCH_ATTRIBUTES.changeKind.type]),
  requester: defineSearchAttributeKey(SEARCH_ATTRIBUTES.requester.name, SDK_TYPE[SEARCH_ATTRIBUTES.requester.type]),
};

/**
 * What makes a change findable in the Temporal UI: `SynapseDevices =
 * "leaf01"` lists every change (and every device workflow) that touched it.
 */
export function changeSearchAttributes(change: { devices: string[]; changeId: string; kind: ChangeKind; requester: string }): SearchAttributePair[] {
  return [
    { key: SEARCH_ATTRIBUTE_KEYS.devices, value: change.devices },
    { key: SEARCH_ATTRIBUTE_KEYS.changeId, value: change.changeId },
    { key: SEARCH_ATTRIBUTE_KEYS.changeKind, value: change.kind },
    { key: SEARCH_ATTRIBUTE_KEYS.requester, value: change.requester },
  ];
}
