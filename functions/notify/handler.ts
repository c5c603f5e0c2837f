import { loadConfig } from '../core/config.js';
import { createHandler } from '../core/handler.js';
import { notify } from './flow.js';
import { FUNCTION_NAME, loadNotifySettings } from './settings.js';

const config = loadConfig(process.env);
const settings = loadNotifySettings(process.env);

export const handler = createHandler(FUNCTION_NAME, (event, { ownAccount }) =>
  notify(event, { config, settings, ...(ownAccount ? { ownAccount } : {}) }),
);
