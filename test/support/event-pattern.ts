/**
 * Test helper: an EventBridge event-pattern matcher, following the Amazon
 * EventBridge user guide ("Event patterns", "Content filtering", "Comparison
 * operators"). It lets tests check the rules in template.yaml against sample
 * events without calling TestEventPattern. Not for production use.
 *
 * - Every key of a pattern object must match; `$or: [p, p]` at any object level
 *   matches when one of its patterns matches.
 * - A leaf is an array of alternatives; an event array matches when one of its
 *   elements matches. An object in the event is not a leaf: for leaf matchers
 *   it counts as absent (so `exists: false` matches it, as the guide shows).
 * - A missing field matches only `{exists: false}`; `anything-but` needs the
 *   field to be present.
 * - Limits: only IPv4 in `cidr`; numbers are compared as JavaScript numbers,
 *   so 300 and 300.0 are equal here (EventBridge compares their text).
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The leaf values of an event field: arrays are flattened, objects and absence give none. */
const leaves = (v: unknown): unknown[] => (v === undefined || isObject(v) ? [] : Array.isArray(v) ? v.flatMap(leaves) : [v]);

export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new Error(`An event pattern must be an object: ${JSON.stringify(pattern)}`);
  return matchObject(pattern, event);
}

function matchObject(pattern: Json, event: unknown): boolean {
  if (Object.keys(pattern).length === 0) throw new Error('Empty objects are not allowed in an event pattern');
  if (Array.isArray(event)) {
    const objects = event.flat(Infinity).filter(isObject);
    return objects.length > 0 ? objects.some((o) => matchObject(pattern, o)) : matchObject(pattern, undefined);
  }
  const fields = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, sub]) => {
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length < 2) throw new Error('$or needs an array of at least two patterns');
      return sub.some((alternative) => matchesPattern(alternative, fields));
    }
    const value = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (Array.isArray(sub)) return matchLeaf(sub, value);
    if (isObject(sub)) return matchObject(sub, value);
    throw new Error(`The value of "${key}" must be an array or an object: ${JSON.stringify(sub)}`);
  });
}

function matchLeaf(alternatives: unknown[], eventValue: unknown): boolean {
  const values = leaves(eventValue);
  return alternatives.some((alternative) => {
    if (isObject(alternative) && 'exists' in alternative) {
      if (typeof alternative.exists !== 'boolean') throw new Error('exists takes true or false');
      return alternative.exists === values.length > 0;
    }
    return values.some((value) => matchValue(alternative, value));
  });
}

/** One pattern alternative (a literal or a matcher object) against one leaf value of the event. */
function matchValue(alternative: unknown, value: unknown): boolean {
  if (!isObject(alternative)) return alternative === value;
  const entries = Object.entries(alternative);
  const [operator, operand] = entries[0] ?? [];
  if (entries.length !== 1 || operator === undefined) {
    throw new Error(`A matcher has exactly one operator: ${JSON.stringify(alternative)}`);
  }
  switch (operator) {
    case 'prefix':
      return compareText(operand, value, (text, wanted) => text.startsWith(wanted));
    case 'suffix':
      return compareText(operand, value, (text, wanted) => text.endsWith(wanted));
    case 'equals-ignore-case':
      return typeof operand === 'string' && typeof value === 'string' && lower(value) === lower(operand);
    case 'wildcard':
      return typeof value === 'string' && wildcardRegExp(operand).test(value);
    case 'anything-but':
      return !anythingButExcludes(operand, value);
    case 'numeric':
      return typeof value === 'number' && numericHolds(operand, value);
    case 'cidr':
      return typeof value === 'string' && inCidr(operand, value);
    default:
      throw new Error(`Unknown matcher "${operator}"`);
  }
}

const lower = (s: string) => s.toLowerCase();

/** prefix / suffix, with the `{"equals-ignore-case": "x"}` form. */
function compareText(operand: unknown, value: unknown, test: (text: string, wanted: string) => boolean): boolean {
  if (typeof value !== 'string') return false;
  if (typeof operand === 'string') return test(value, operand);
  if (isObject(operand) && typeof operand['equals-ignore-case'] === 'string') {
    return test(lower(value), lower(operand['equals-ignore-case']));
  }
  throw new Error(`Expected a string or {"equals-ignore-case": string}: ${JSON.stringify(operand)}`);
}

/** True when the anything-but operand names this value (so the field does not match). */
function anythingButExcludes(operand: unknown, value: unknown): boolean {
  if (Array.isArray(operand)) return operand.some((excluded) => anythingButExcludes(excluded, value));
  if (typeof operand === 'string' || typeof operand === 'number') return operand === value;
  if (isObject(operand)) {
    const [operator, nested] = Object.entries(operand)[0] ?? [];
    if (operator && ['prefix', 'suffix', 'wildcard', 'equals-ignore-case'].includes(operator)) {
      const list = Array.isArray(nested) ? nested : [nested];
      return list.some((one) => matchValue({ [operator]: one }, value));
    }
  }
  throw new Error(`Unsupported anything-but operand: ${JSON.stringify(operand)}`);
}

/** `*` matches any run of characters; `\\*` is a literal star and `\\\\` a backslash. */
function wildcardRegExp(wildcard: unknown): RegExp {
  if (typeof wildcard !== 'string') throw new Error('wildcard takes a string');
  let source = '';
  for (let i = 0; i < wildcard.length; i++) {
    const char = wildcard[i] as string;
    if (char === '*') {
      if (source.endsWith('.*')) throw new Error('Consecutive wildcard characters are not allowed');
      source += '.*';
    } else if (char === '\\') {
      const next = wildcard[++i];
      if (next !== '*' && next !== '\\') throw new Error('In a wildcard, a backslash escapes only * or \\');
      source += `\\${next}`;
    } else {
      source += char.replace(/[.+?^${}()|[\]]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

const comparisons: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
};

function numericHolds(operand: unknown, value: number): boolean {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw new Error(`numeric takes operator/number pairs: ${JSON.stringify(operand)}`);
  }
  for (let i = 0; i < operand.length; i += 2) {
    const compare = comparisons[String(operand[i])];
    const bound = operand[i + 1];
    if (!compare || typeof bound !== 'number') throw new Error(`Bad numeric condition: ${JSON.stringify(operand)}`);
    if (!compare(value, bound)) return false;
  }
  return true;
}

function ipv4(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function inCidr(operand: unknown, value: string): boolean {
  const [network = '', bits = '32'] = typeof operand === 'string' ? operand.split('/') : [];
  const base = ipv4(network);
  const length = Number(bits);
  if (base === undefined || !Number.isInteger(length) || length < 0 || length > 32) {
    throw new Error(`Only IPv4 CIDR blocks are supported here: ${JSON.stringify(operand)}`);
  }
  const address = ipv4(value);
  const size = 2 ** (32 - length);
  return address !== undefined && Math.floor(address / size) === Math.floor(base / size);
}
