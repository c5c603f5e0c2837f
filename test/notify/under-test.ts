import type { Context } from 'aws-lambda';
import { lookupIamActions } from '../../functions/core/aws/cloudtrail.js';
import { configRuleIamActions } from '../../functions/core/aws/config-rules.js';
import { memberRoleIamActions } from '../../functions/core/aws/member-role.js';
import { loadConfig } from '../../functions/core/config.js';
import { InvalidEventError, UnsupportedEventError } from '../../functions/core/errors.js';
import type { RuleIdentity } from '../../functions/core/events/config-rules.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { isContainedS3Finding } from '../../functions/core/events/s3-exfiltration.js';
import { floodIamActions } from '../../functions/notify/flood.js';
import { NOTIFY_CONFIG_RULES, selectNotification } from '../../functions/notify/select.js';
import { loadNotifySettings } from '../../functions/notify/settings.js';
import { withRule } from '../support/with-rule.js';

/**
 * notify as the template tests see it (an entry of FUNCTIONS in test/support/functions.ts): no remediation, so no
 * enforce-only action; it handles an event when its selection, with the template's default parameters, is `notify`.
 */
export const notifyUnderTest = {
  name: 'notify',
  functionLogicalId: 'NotifyFunction',
  roleLogicalId: 'NotifyRole',
  alwaysActions: [...floodIamActions, ...lookupIamActions, ...configRuleIamActions],
  organizationActions: memberRoleIamActions,
  // notify holds nothing back: nothing of it waits for approval.
  approvalActions: [],
  wildcardActions: lookupIamActions,
  configRules: NOTIFY_CONFIG_RULES,
  handles(raw: unknown, rule?: RuleIdentity): boolean {
    try {
      return selectNotification(withRule(parseEvent(raw), rule), loadConfig({}), loadNotifySettings({})).action === 'notify';
    } catch (error) {
      if (error instanceof InvalidEventError || error instanceof UnsupportedEventError) return false;
      throw error;
    }
  },
  /**
   * The S3 exfiltration findings a remediation contains: the GuardDuty rule routes every S3 finding at or above
   * SeverityThreshold (it cannot also say "below S3ExfiltrationSeverityThreshold"), and the function declines these.
   */
  routedButDeclined(raw: unknown): boolean {
    const event = parseEvent(raw);
    const config = loadConfig({});
    return event.kind === 'guardduty' && event.finding.severity >= config.severityThreshold && isContainedS3Finding(event.finding, config);
  },
};

/** The Lambda context of notify's handler tests. */
export const notifyContext = {
  functionName: 'notify',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:notify',
  memoryLimitInMB: '256',
} as Context;
