export * from './queues';
export * from './search-attributes';
export * from './errors';
export * from './profiles';
export * from './parse';
export * from './device';
export * from './intent';
export * from './deployment';
