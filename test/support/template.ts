/**
 * Test helper: loads the SAM/CloudFormation template and reads the parts the
 * tests check (EventBridge rules of a function, IAM policy statements).
 * CloudFormation short forms (`!Ref`, `!Sub`, ...) become their long JSON form.
 */
import { readFileSync } from 'node:fs';
import type { CollectionTag, ScalarTag } from 'yaml';
import { Pair, parseDocument, Scalar, YAMLMap } from 'yaml';

export interface Resource {
  Type: string;
  Properties?: any;
  Condition?: string;
  Metadata?: any;
  [k: string]: unknown;
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Transform?: unknown;
  Parameters?: Record<string, any>;
  Conditions?: Record<string, unknown>;
  Globals?: any;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, any>;
}

export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  Condition?: unknown;
  /**
   * Set when the statement exists only under a CloudFormation condition: the
   * condition name, `!Name` for the false branch of an `Fn::If`, and
   * `A && B` when conditions are nested.
   */
  condition?: string;
  [k: string]: unknown;
}

const INTRINSICS = [
  'Ref',
  'Condition',
  'GetAtt',
  'Sub',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Join',
  'Select',
  'Split',
  'FindInMap',
  'GetAZs',
  'ImportValue',
  'Base64',
  'Cidr',
];

const longName = (name: string) => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`);

/** Each short form is accepted on a scalar, a sequence or a mapping. */
const cloudFormationTags = INTRINSICS.flatMap((name): (ScalarTag | CollectionTag)[] => {
  const key = longName(name);
  const wrap = (node: unknown) => {
    const map = new YAMLMap();
    map.items.push(new Pair(new Scalar(key), node));
    return map;
  };
  return [
    {
      tag: `!${name}`,
      resolve: (value: string) => {
        if (name !== 'GetAtt') return { [key]: value };
        const dot = value.indexOf('.');
        return { [key]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
      },
    },
    { tag: `!${name}`, collection: 'seq', resolve: wrap },
    { tag: `!${name}`, collection: 'map', resolve: wrap },
  ];
});

export function loadTemplate(path = 'template.yaml'): Template {
  const document = parseDocument(readFileSync(path, 'utf8'), { customTags: cloudFormationTags, prettyErrors: true });
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) throw new Error(`${path}: ${problems.map((p) => p.message).join('\n')}`);
  const template = document.toJS() as Template | null;
  if (!template?.Resources) throw new Error(`${path} has no Resources`);
  return template;
}

function resourceOf(template: Template, logicalId: string): Resource {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`No resource ${logicalId} in the template`);
  return resource;
}

/**
 * The EventBridge rules (SAM `EventBridgeRule` or `CloudWatchEvent` events) of a function, each `Ref` to a template
 * parameter replaced by the parameter's Default, as CloudFormation deploys them with the default parameters.
 */
export function eventBridgeRules(
  template: Template,
  functionLogicalId: string,
  parameters: Record<string, string> = {},
): { name: string; pattern: unknown }[] {
  const deployed = withDefaults(template, parameters);
  const events: Record<string, { Type?: string; Properties?: { Pattern?: unknown } }> =
    resourceOf(deployed, functionLogicalId).Properties?.Events ?? {};
  return Object.entries(events)
    .filter(([, event]) => event.Type === 'EventBridgeRule' || event.Type === 'CloudWatchEvent')
    .map(([name, event]) => ({ name, pattern: withParameterDefaults(deployed, fromJsonText(deployed, event.Properties?.Pattern)) }));
}

/** The template as deployed with these parameter values: each becomes its parameter's Default. */
function withDefaults(template: Template, parameters: Record<string, string>): Template {
  if (Object.keys(parameters).length === 0) return template;
  const changed = Object.fromEntries(
    Object.entries(template.Parameters ?? {}).map(([name, p]) => [name, name in parameters ? { ...p, Default: parameters[name] } : p]),
  );
  const unknown = Object.keys(parameters).filter((name) => !(name in changed));
  if (unknown.length) throw new Error(`No parameter ${unknown.join(', ')} in the template`);
  return { ...template, Parameters: changed };
}

/**
 * The `AWS::Events::Rule` resources of a template (member-template.yaml's forwarding rules), their patterns read as
 * `eventBridgeRules` reads a function's, with their `Condition` and `Targets` as written.
 */
export function eventRuleResources(
  template: Template,
  parameters: Record<string, string> = {},
): { name: string; condition?: string; pattern: unknown; targets: unknown[] }[] {
  const deployed = withDefaults(template, parameters);
  return Object.entries(deployed.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Events::Rule')
    .map(([name, resource]) => ({
      name,
      ...(resource.Condition ? { condition: resource.Condition } : {}),
      pattern: withParameterDefaults(deployed, fromJsonText(deployed, resource.Properties?.EventPattern)),
      targets: resource.Properties?.Targets ?? [],
    }));
}

/**
 * A pattern written as JSON text, `!Sub` (with or without a variable map) or plain (the one way to put a Number
 * parameter into a `numeric` matcher as a number), as the object EventBridge reads: each `${Name}` replaced by the
 * variable of that name (a `Ref` or an `Fn::If`, resolved with the parameters' defaults) or the parameter's Default,
 * then parsed.
 */
function fromJsonText(template: Template, pattern: unknown): unknown {
  const sub = isRecord(pattern) && Object.keys(pattern).length === 1 ? pattern['Fn::Sub'] : undefined;
  const [text, variables]: [unknown, unknown] =
    typeof pattern === 'string' ? [pattern, {}] : Array.isArray(sub) ? [sub[0], sub[1] ?? {}] : [sub, {}];
  if (typeof text !== 'string' || !isRecord(variables)) return pattern;
  return JSON.parse(
    text.replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, name: string) => {
      if (Object.hasOwn(variables, name)) return String(resolved(template, variables[name]));
      const parameter = template.Parameters?.[name];
      return parameter && 'Default' in parameter ? String(parameter.Default) : whole;
    }),
  );
}

/** A value as CloudFormation gives it with the default parameters: a `Ref` to a parameter, an `Fn::If` on a condition, `Fn::Join`, `Fn::Split`. */
function resolved(template: Template, value: unknown): unknown {
  if (isRecord(value) && typeof value.Ref === 'string') {
    const parameter = template.Parameters?.[value.Ref];
    if (!parameter || !('Default' in parameter)) throw new Error(`Ref to ${value.Ref}, which is no parameter with a Default`);
    return String(parameter.Default);
  }
  const ifArgs = isRecord(value) ? value['Fn::If'] : undefined;
  if (Array.isArray(ifArgs)) return resolved(template, conditionHolds(template, String(ifArgs[0])) ? ifArgs[1] : ifArgs[2]);
  // `!Join [d, !Split [s, x]]`, as a condition can test whether a text holds another.
  const split = isRecord(value) ? value['Fn::Split'] : undefined;
  if (Array.isArray(split) && typeof split[0] === 'string') return String(resolved(template, split[1])).split(split[0]);
  const join = isRecord(value) ? value['Fn::Join'] : undefined;
  if (Array.isArray(join) && typeof join[0] === 'string') {
    const items = resolved(template, join[1]);
    return (Array.isArray(items) ? items : [items]).map((i) => String(resolved(template, i))).join(join[0]);
  }
  return value;
}

/** Whether a condition of the template holds with the default parameters (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition). */
export function conditionHolds(template: Template, name: string): boolean {
  const condition = template.Conditions?.[name];
  if (condition === undefined) throw new Error(`No condition ${name} in the template`);
  return holds(template, condition);
}

function holds(template: Template, condition: unknown): boolean {
  if (!isRecord(condition)) throw new Error(`Not a condition: ${JSON.stringify(condition)}`);
  if (typeof condition.Condition === 'string') return conditionHolds(template, condition.Condition);
  const [operator, args] = Object.entries(condition)[0] ?? [];
  const list: unknown[] = Array.isArray(args) ? args : [];
  switch (operator) {
    case 'Fn::Equals':
      return String(resolved(template, list[0])) === String(resolved(template, list[1]));
    case 'Fn::Not':
      return !holds(template, list[0]);
    case 'Fn::And':
      return list.every((c) => holds(template, c));
    case 'Fn::Or':
      return list.some((c) => holds(template, c));
    default:
      throw new Error(`Unsupported condition: ${JSON.stringify(condition)}`);
  }
}

/**
 * `{Ref: P}` becomes P's Default as a string: CloudFormation passes every parameter, a Number too, as a string.
 * `!Split [',', !Ref P]` becomes the list, as CloudFormation makes it.
 */
function withParameterDefaults(template: Template, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => withParameterDefaults(template, v));
  if (!isRecord(value)) return value;
  const single = Object.keys(value).length === 1;
  const parameter = single && typeof value.Ref === 'string' ? template.Parameters?.[value.Ref] : undefined;
  if (parameter && 'Default' in parameter) return String(parameter.Default);
  const split = single ? value['Fn::Split'] : undefined;
  if (Array.isArray(split) && typeof split[0] === 'string') {
    const source = withParameterDefaults(template, split[1]);
    if (typeof source === 'string') return source.split(split[0]);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withParameterDefaults(template, v)]));
}

const both = (outer: string | undefined, inner: string | undefined) => (outer && inner ? `${outer} && ${inner}` : (outer ?? inner));

const isNoValue = (v: unknown) => isRecord(v) && v.Ref === 'AWS::NoValue';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Unwraps `Fn::If` (recursively) around a value, calling `visit` with each
 * possible value and the condition under which it exists.
 */
function eachBranch(value: unknown, condition: string | undefined, visit: (v: unknown, c?: string) => void): void {
  const ifArgs = isRecord(value) ? value['Fn::If'] : undefined;
  if (!Array.isArray(ifArgs)) {
    if (value !== undefined && !isNoValue(value)) visit(value, condition);
    return;
  }
  const [name, whenTrue, whenFalse] = ifArgs as [string, unknown, unknown];
  eachBranch(whenTrue, both(condition, name), visit);
  eachBranch(whenFalse, both(condition, `!${name}`), visit);
}

function statementsOf(document: unknown, condition: string | undefined, into: PolicyStatement[]): void {
  eachBranch(document, condition, (doc, docCondition) => {
    const statements = isRecord(doc) ? doc.Statement : undefined;
    for (const item of Array.isArray(statements) ? statements : [statements]) {
      eachBranch(item, docCondition, (statement, c) => {
        into.push(c === undefined ? { ...(statement as PolicyStatement) } : { ...(statement as PolicyStatement), condition: c });
      });
    }
  });
}

/**
 * The policy statements of an `AWS::IAM::Role` (inline `Policies`, plus the
 * `AWS::IAM::ManagedPolicy` resources of this template that `ManagedPolicyArns`
 * references with `Ref`, and the `AWS::IAM::RolePolicy` / `AWS::IAM::Policy` resources of this template
 * attached to it by `RoleName` / `Roles`, each with its resource's `Condition`), or of an
 * `AWS::IAM::ManagedPolicy` / `AWS::IAM::Policy` / `AWS::IAM::RolePolicy`. AWS managed ARNs are not included.
 */
export function policyStatements(template: Template, logicalId: string): PolicyStatement[] {
  const resource = resourceOf(template, logicalId);
  const properties = resource.Properties ?? {};
  const statements: PolicyStatement[] = [];
  switch (resource.Type) {
    case 'AWS::IAM::ManagedPolicy':
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::RolePolicy':
      statementsOf(properties.PolicyDocument, undefined, statements);
      break;
    case 'AWS::IAM::Role':
      for (const policy of properties.Policies ?? []) {
        eachBranch(policy, undefined, (p, c) => statementsOf(isRecord(p) ? p.PolicyDocument : undefined, c, statements));
      }
      for (const arn of properties.ManagedPolicyArns ?? []) {
        eachBranch(arn, undefined, (a, c) => {
          const target = isRecord(a) && typeof a.Ref === 'string' ? template.Resources[a.Ref] : undefined;
          if (target?.Type !== 'AWS::IAM::ManagedPolicy') return;
          statementsOf(target.Properties?.PolicyDocument, both(c, target.Condition), statements);
        });
      }
      for (const attached of Object.values(template.Resources)) {
        if (attached.Type !== 'AWS::IAM::RolePolicy' && attached.Type !== 'AWS::IAM::Policy') continue;
        const roles: unknown[] = attached.Properties?.Roles ?? [attached.Properties?.RoleName];
        if (!roles.some((r) => isRecord(r) && r.Ref === logicalId)) continue;
        statementsOf(attached.Properties?.PolicyDocument, attached.Condition, statements);
      }
      break;
    default:
      throw new Error(`${logicalId} is a ${resource.Type}, not an IAM role or policy`);
  }
  return statements;
}

/** Every action that some `Allow` statement grants. */
export function actionsOf(statements: PolicyStatement[]): Set<string> {
  const actions = new Set<string>();
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    const listed: unknown[] = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    for (const action of listed) if (typeof action === 'string') actions.add(action);
  }
  return actions;
}

const FOR_EACH = /^Fn::ForEach::[A-Za-z0-9]+$/;
const PLACEHOLDER = /(\$|&)\{[a-zA-Z0-9.:]+\}/;

/**
 * The template as the `AWS::LanguageExtensions` transform hands it to the SAM transform: each `Fn::ForEach` loop of
 * `Resources` replaced by one copy of its fragment per item of its collection (a list, or a `Ref` to a
 * `CommaDelimitedList` parameter, whose value comes from `parameters` or its Default; `''` is one empty item, as
 * CloudFormation gives it). In a copy, `${Id}` and `&{Id}` (the item without its non-alphanumeric characters) are
 * replaced in keys and `Fn::Sub` strings (a string left with no placeholder stops being a `Fn::Sub`, as cfn-lint's
 * implementation of the transform does), and `Ref: Id` becomes the item. One level of loops, in Resources only.
 * `scripts/check-template.py` expands with cfn-lint's implementation, and a test keeps the two equal.
 */
export function expandForEach(template: Template, parameters: Record<string, string> = {}): Template {
  const resources: Record<string, Resource> = {};
  for (const [key, value] of Object.entries(template.Resources)) {
    if (!FOR_EACH.test(key)) {
      resources[key] = value;
      continue;
    }
    const [identifier, collection, fragment] = value as unknown as [string, unknown, Record<string, unknown>];
    for (const item of collectionOf(template, collection, parameters)) {
      for (const [outputKey, outputValue] of Object.entries(fragment)) {
        const id = substitute(outputKey, identifier, item);
        if (id in resources || id in template.Resources) throw new Error(`${key}: duplicate logical id ${id}`);
        resources[id] = replaceIdentifier(outputValue, identifier, item) as Resource;
      }
    }
  }
  return { ...template, Resources: resources };
}

function collectionOf(template: Template, collection: unknown, parameters: Record<string, string>): string[] {
  if (Array.isArray(collection)) return collection.map(String);
  const name = isRecord(collection) ? collection.Ref : undefined;
  const parameter = typeof name === 'string' ? template.Parameters?.[name] : undefined;
  if (typeof name !== 'string' || parameter?.Type !== 'CommaDelimitedList')
    throw new Error(`Fn::ForEach over ${JSON.stringify(collection)}: only lists and CommaDelimitedList parameters are expanded here`);
  return String(parameters[name] ?? parameter.Default).split(',');
}

function substitute(text: string, identifier: string, item: string): string {
  return text.replaceAll(`\${${identifier}}`, item).replaceAll(`&{${identifier}}`, item.replace(/[^0-9a-zA-Z]+/g, ''));
}

function replaceIdentifier(value: unknown, identifier: string, item: string): unknown {
  if (Array.isArray(value)) return value.map((v) => replaceIdentifier(v, identifier, item));
  if (!isRecord(value)) return value;
  const entries = Object.entries(value);
  const [key, arg] = entries[0] ?? [];
  if (entries.length === 1 && key === 'Ref' && arg === identifier) return item;
  if (entries.length === 1 && key === 'Fn::Sub') {
    const [text, variables] = Array.isArray(arg) ? [arg[0] as string, arg[1]] : [arg as string, undefined];
    const replaced = substitute(text, identifier, item);
    if (!PLACEHOLDER.test(replaced)) return replaced;
    return { 'Fn::Sub': variables === undefined ? replaced : [replaced, replaceIdentifier(variables, identifier, item)] };
  }
  return Object.fromEntries(entries.map(([k, v]) => [substitute(k, identifier, item), replaceIdentifier(v, identifier, item)]));
}
