import { beforeEach } from 'vitest';
import { forgetRuleSources } from '../../functions/core/aws/config-rules.js';
import { answerConfigRulesByName } from './config-rules.js';

// Every test starts with AWS Config answering as for rules under their default names, and no rule source remembered.
beforeEach(() => {
  forgetRuleSources();
  answerConfigRulesByName();
});
