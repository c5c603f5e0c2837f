import type { core } from 'zod/mini';
import { boundText, oneLine, QUOTED_VALUE_MAX, REASON_MAX } from '../text.js';

/**
 * Turns zod issues into one line a person can act on: `detail.resource.resourceType: expected string`. A path may hold
 * keys of the input (the dimensions of an alarm): each is put on one line and bounded, and so is the whole line.
 */
export function describeIssues(issues: readonly core.$ZodIssue[], limit = 5): string {
  const lines = issues.slice(0, limit).map((issue) => {
    const path = issue.path.length ? issue.path.map((key) => oneLine(boundText(String(key), QUOTED_VALUE_MAX))).join('.') : '(root)';
    return `${path}: ${explain(issue)}`;
  });
  if (issues.length > limit) lines.push(`and ${issues.length - limit} more`);
  return boundText(lines.join('; '), REASON_MAX);
}

function explain(issue: core.$ZodIssue): string {
  // A message the schema wrote itself says it best; zod/mini's own default is only "Invalid input".
  if (issue.message && !/^Invalid input/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `too small (minimum ${String(issue.minimum)})`;
    case 'too_big':
      return `too big (maximum ${String(issue.maximum)})`;
    case 'invalid_format':
      return `invalid ${issue.format}`;
    default:
      return issue.message || issue.code;
  }
}
