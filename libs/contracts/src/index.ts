export * from './envelope.js';
export * from './topics.js';
export * from './codec.js';
export * from './events.js';
