import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { patched, upsertMemo } from '@temporalio/workflow';
import { changeListMemo, SEARCH_ATTRIBUTES, type ChangeKind } from '@synapse/contracts';

/** contracts names the types the way the Temporal CLI does; the SDK has its own constants. */
const SDK_TYPE = { KeywordList: SearchAttributeType.KEYWORD_LIST, Keyword: SearchAttributeType.KEYWORD } as const;

/** Typed keys, so a value of the wrong type does not compile. */
export const SEARCH_ATTRIBUTE_KEYS = {
  devices: defineSearchAttributeKey(SEARCH_ATTRIBUTES.devices.name, SDK_TYPE[SEARCH_ATTRIBUTES.devices.type]),
  changeId: defineSearchAttributeKey(SEARCH_ATTRIBUTES.changeId.name, SDK_TYPE[SEARCH_ATTRIBUTES.changeId.type]),
  changeKind: defineSearchAttributeKey(SEARCH_ATTRIBUTES.changeKind.name, SDK_TYPE[SEARCH_ATTRIBUTES.changeKind.type]),
  requester: defineSearchAttributeKey(SEARCH_ATTRIBUTES.requester.name, SDK_TYPE[SEARCH_ATTRIBUTES.requester.type]),
  outcome: defineSearchAttributeKey(SEARCH_ATTRIBUTES.outcome.name, SDK_TYPE[SEARCH_ATTRIBUTES.outcome.type]),
};

/**
 * What makes a change findable in the Temporal UI. A change carries its id,
 * kind and requester (and its outcome once it ends); only a device workflow
 * carries `SynapseDevices`, its one device, so `SynapseDevices = "leaf01"`
 * lists every device workflow that touched leaf01 and its SynapseChangeId
 * leads to the change. A change never lists its devices: the server caps a
 * search attribute value at 2 KB, about 200 device names.
 */
export function changeSearchAttributes(change: { devices?: string[]; changeId: string; kind: ChangeKind; requester: string }): SearchAttributePair[] {
  return [
    ...(change.devices ? [{ key: SEARCH_ATTRIBUTE_KEYS.devices, value: change.devices }] : []),
    { key: SEARCH_ATTRIBUTE_KEYS.changeId, value: change.changeId },
    { key: SEARCH_ATTRIBUTE_KEYS.changeKind, value: change.kind },
    { key: SEARCH_ATTRIBUTE_KEYS.requester, value: change.requester },
  ];
}

/** How a change or a device workflow ended, for the UI's list (a pre-empted change and a failed emergency no longer look alike). */
export function outcomeSearchAttribute(outcome: string): SearchAttributePair[] {
  return [{ key: SEARCH_ATTRIBUTE_KEYS.outcome, value: outcome }];
}

/**
 * Changes that began before the list memo existed replay without it: the
 * memo's upserts are commands of their own.
 */
const LIST_MEMO_PATCH = 'change-list-memo';

/** The change's devices, ticket and reason for the list views (see contracts' ChangeListMemo). */
export function memoForList(change: { devices: readonly string[]; ticket?: string; reason?: string }): void {
  if (patched(LIST_MEMO_PATCH)) upsertMemo(changeListMemo(change));
}

/** The one-line summary of how it ended, next to SynapseOutcome. */
export function memoSummaryForList(summary: string): void {
  if (patched(LIST_MEMO_PATCH)) upsertMemo({ summary });
}
