/**
 * Custom search attributes, so an operator finds every change that touched a
 * device in the Temporal UI (`SynapseDevices = "leaf01"`). The dev server
 * registers these at start; a production namespace needs them created once
 * (`temporal operator search-attribute create`).
 */
export const SEARCH_ATTRIBUTES = {
  devices: { name: 'SynapseDevices', type: 'KeywordList' },
  changeId: { name: 'SynapseChangeId', type: 'Keyword' },
  changeKind: { name: 'SynapseChangeKind', type: 'Keyword' },
  requester: { name: 'SynapseRequester', type: 'Keyword' },
  /** How a change ended (succeeded, failed, stopped, …), so the UI's list shows which changes went wrong. */
  outcome: { name: 'SynapseOutcome', type: 'Keyword' },
} as const;

export type SearchAttributeType = (typeof SEARCH_ATTRIBUTES)[keyof typeof SEARCH_ATTRIBUTES]['type'];
