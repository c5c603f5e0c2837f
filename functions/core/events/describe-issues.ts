import type { core } from 'zod/mini';

/** Turns zod issues into one line a person can act on: `detail.resource.resourceType: expected string`. */
export function describeIssues(issues: readonly core.$ZodIssue[], limit = 5): string {
  const lines = issues.slice(0, limit).map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
    return `${path}: ${explain(issue)}`;
  });
  if (issues.length > limit) lines.push(`and ${issues.length - limit} more`);
  return lines.join('; ');
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
