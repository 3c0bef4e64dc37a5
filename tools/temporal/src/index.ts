export { resolveTemporalCli, type ResolvedTemporalCli, type ResolveTemporalCliOptions, type TemporalCliSource } from './temporal-cli';
export { TEMPORAL_CLI_VERSION, TEMPORAL_CLI_WHEEL_REQUIREMENT } from './temporal-cli-wheel';
export { TemporalCliError } from './temporal-cli-error';
export { startDevServer, type DevServer, type DevServerOptions, type DevServerLogLevel } from './dev-server';
export { PROJECT_SEARCH_ATTRIBUTES, type SearchAttributeDefinition } from './search-attributes';
export { startServerForTests } from './test-server';
export { findFreePort } from './free-port';
export { historyText } from './history-text';
