import { type Config, type ConfigRequirements, loadConfig } from '../config.js';
import { createHandler } from '../handler.js';
import { type Remediation, remediate } from './remediate.js';
import type { StepBase } from './types.js';

export interface RemediationHandlerOptions extends ConfigRequirements {
  /** Reads the function's own settings from a config; called at cold start, so that a wrong value stops it there. */
  settings?: (config: Config) => unknown;
}

/**
 * The Lambda handler of a remediation function: the environment is read and checked once, at cold start (the shared
 * config, then the function's own settings), and each event goes through `remediate` with the invocation's time left
 * and request id.
 */
export function remediationHandler<T, State, S extends StepBase, Aws>(
  functionName: string,
  remediation: Remediation<T, State, S, Aws>,
  aws: Aws,
  options: RemediationHandlerOptions = {},
) {
  const config = loadConfig(process.env, options);
  options.settings?.(config);
  return createHandler(functionName, (event, invocation) => remediate(event, remediation, { functionName, config, aws, ...invocation }));
}
