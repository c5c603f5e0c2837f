import type { SchemaIssue } from '../schema.js';
import { boundText, oneLine, QUOTED_VALUE_MAX, REASON_MAX } from '../text.js';

/**
 * Turns schema issues into one line a person can act on: `detail.resource.resourceType: expected string`. A path may hold
 * keys of the input (the dimensions of an alarm): each is put on one line and bounded, and so is the whole line.
 */
export function describeIssues(issues: readonly SchemaIssue[], limit = 5): string {
  const lines = issues.slice(0, limit).map((issue) => {
    const path = issue.path.length ? issue.path.map((key) => oneLine(boundText(String(key), QUOTED_VALUE_MAX))).join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  if (issues.length > limit) lines.push(`and ${issues.length - limit} more`);
  return boundText(lines.join('; '), REASON_MAX);
}
