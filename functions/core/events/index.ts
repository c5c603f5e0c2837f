export * from './cloudwatch-alarm.js';
export * from './config-compliance.js';
export * from './envelope.js';
export * from './guardduty.js';
export * from './parse.js';
