export * from './catalog.js';
export * from './ids.js';
export * from './time.js';
export * from './reducer.js';
export * from './view.js';
export * from './confirmation.js';
export * from './replay.js';
