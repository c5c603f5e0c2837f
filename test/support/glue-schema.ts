import type { Template } from './template.js';

/** A Hive type as the Glue catalog declares a column: `string`, `array<T>`, `struct<name:T,...>`. */
export type HiveType =
  | { kind: 'primitive'; name: string }
  | { kind: 'array'; element: HiveType }
  | { kind: 'struct'; fields: { name: string; type: HiveType }[] };

/** Parses a Hive type string (`array<struct<kind:string,attempt:int>>`); throws on anything it does not read whole. */
export function parseHiveType(text: string): HiveType {
  let at = 0;
  const expect = (s: string) => {
    if (text.slice(at, at + s.length) !== s) throw new Error(`expected "${s}" at ${at} of ${text}`);
    at += s.length;
  };
  const name = () => {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at));
    if (!m) throw new Error(`expected a name at ${at} of ${text}`);
    at += m[0].length;
    return m[0];
  };
  const type = (): HiveType => {
    const n = name().toLowerCase();
    if (n === 'array') {
      expect('<');
      const element = type();
      expect('>');
      return { kind: 'array', element };
    }
    if (n === 'struct') {
      expect('<');
      const fields: { name: string; type: HiveType }[] = [];
      for (;;) {
        const field = name();
        expect(':');
        fields.push({ name: field, type: type() });
        if (text[at] === ',') at += 1;
        else break;
      }
      expect('>');
      return { kind: 'struct', fields };
    }
    return { kind: 'primitive', name: n };
  };
  const parsed = type();
  if (at !== text.length) throw new Error(`unexpected "${text.slice(at)}" in ${text}`);
  return parsed;
}

/** The audit table's columns (not its partition keys) as one struct, from template.yaml. */
export function auditTableSchema(template: Template): Extract<HiveType, { kind: 'struct' }> {
  const input = template.Resources.AuditTable?.Properties?.TableInput;
  if (!input) throw new Error('template.yaml has no AuditTable');
  const columns = input.StorageDescriptor.Columns as { Name: string; Type: string }[];
  return { kind: 'struct', fields: columns.map((c) => ({ name: c.Name, type: parseHiveType(c.Type) })) };
}

/**
 * Where `value` does not fit `type`, as JSON paths with the reason; empty when every field maps to a column (or a struct
 * field) of a compatible type. An absent field is NULL, which every type allows; an extra field is a problem.
 */
export function misfits(value: unknown, type: HiveType, path = '$'): string[] {
  if (value === null || value === undefined) return [];
  switch (type.kind) {
    case 'primitive':
      return fitsPrimitive(value, type.name) ? [] : [`${path}: ${JSON.stringify(value)} is not a ${type.name}`];
    case 'array':
      if (!Array.isArray(value)) return [`${path}: expected an array`];
      return value.flatMap((v, i) => misfits(v, type.element, `${path}[${i}]`));
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object`];
      return Object.entries(value).flatMap(([key, v]) => {
        const field = type.fields.find((f) => f.name === key);
        return field ? misfits(v, field.type, `${path}.${key}`) : [`${path}.${key}: no such column`];
      });
    }
  }
}

function fitsPrimitive(value: unknown, name: string): boolean {
  switch (name) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'int':
      return Number.isInteger(value) && Math.abs(value as number) < 2 ** 31;
    case 'bigint':
      return Number.isSafeInteger(value);
    case 'double':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return false;
  }
}
