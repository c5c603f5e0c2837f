// The environment template.yaml gives a function, as Lambda would see it with the parameters' defaults (or the
// values given): for the bench, which must start each bundle as it is deployed (NODE_OPTIONS included).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const SHORT_FORMS = ['Ref', 'Condition', 'GetAtt', 'Sub', 'If', 'Equals', 'Not', 'And', 'Or', 'Join', 'Select', 'Split'];

/** `!Ref x` becomes `{ Ref: x }`, `!Sub ...` becomes `{ 'Fn::Sub': ... }`, on scalars, sequences and mappings. */
const customTags = SHORT_FORMS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const scalar = name === 'GetAtt' ? (v) => ({ [key]: String(v).split('.') }) : (v) => ({ [key]: v });
  return [
    { tag: `!${name}`, resolve: scalar },
    { tag: `!${name}`, collection: 'seq', resolve: (seq) => ({ [key]: seq.toJSON() }) },
    { tag: `!${name}`, collection: 'map', resolve: (map) => ({ [key]: map.toJSON() }) },
  ];
});

export function loadTemplate(path = new URL('../template.yaml', import.meta.url)) {
  return parse(readFileSync(path, 'utf8'), { customTags });
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const NO_VALUE = Symbol('AWS::NoValue');

/** A plausible value for a resource's `Ref` (what the function's configuration checks accept). */
function refOf(id, resource) {
  switch (resource.Type) {
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`;
    case 'AWS::S3::Bucket':
      return `ml-guard-${id.toLowerCase()}`;
    default:
      return id;
  }
}

function arnOf(id, resource) {
  switch (resource.Type) {
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${ACCOUNT}:role/${id}`;
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${refOf(id, resource)}`;
    default:
      return `arn:aws:${resource.Type.split('::')[1].toLowerCase()}:${REGION}:${ACCOUNT}:${id}`;
  }
}

/** Resolves the intrinsic functions a function's environment and the monitors' alarms use; parameters take their defaults unless given. */
export function resolver(template, parameters = {}) {
  const param = (name) => parameters[name] ?? template.Parameters?.[name]?.Default;
  const pseudo = {
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::StackName': 'ml-guard',
    'AWS::Partition': 'aws',
    'AWS::NoValue': NO_VALUE,
  };
  const ref = (name) => {
    if (name in pseudo) return pseudo[name];
    if (template.Parameters?.[name]?.Type === 'CommaDelimitedList') return String(param(name)).split(',');
    if (template.Parameters?.[name]) return String(param(name));
    const resource = template.Resources?.[name];
    if (!resource) throw new Error(`!Ref ${name}: no such parameter or resource`);
    return refOf(name, resource);
  };
  const condition = (name) =>
    value(
      template.Conditions?.[name] ??
        (() => {
          throw new Error(`no condition ${name}`);
        })(),
    );
  function value(node) {
    if (Array.isArray(node)) return node.map(value).filter((v) => v !== NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const [key, arg] = Object.entries(node)[0] ?? [];
    switch (Object.keys(node).length === 1 ? key : undefined) {
      case 'Ref':
        return ref(arg);
      case 'Condition':
        return condition(arg);
      case 'Fn::GetAtt':
        if (arg[1] !== 'Arn') throw new Error(`!GetAtt ${arg.join('.')}: only Arn is known`);
        return arnOf(arg[0], template.Resources[arg[0]]);
      case 'Fn::If':
        return value(condition(arg[0]) ? arg[1] : arg[2]);
      case 'Fn::Equals':
        return String(value(arg[0])) === String(value(arg[1]));
      case 'Fn::Not':
        return !value(arg[0]);
      case 'Fn::And':
        return arg.every((c) => value(c));
      case 'Fn::Or':
        return arg.some((c) => value(c));
      case 'Fn::Join':
        return value(arg[1]).join(arg[0]);
      case 'Fn::Sub': {
        // `!Sub text` or `!Sub [text, {Name: value}]`: the variables of the second form hide parameters and resources.
        const [text, variables] = Array.isArray(arg) ? [arg[0], value(arg[1] ?? {})] : [arg, {}];
        return String(text).replace(/\$\{([^}]+)\}/g, (_, name) => {
          if (Object.hasOwn(variables, name)) return String(variables[name]);
          return name.endsWith('.Arn') ? value({ 'Fn::GetAtt': [name.slice(0, -4), 'Arn'] }) : ref(name);
        });
      }
      case 'Fn::Split':
        return String(value(arg[1])).split(arg[0]);
      case 'Fn::Select': {
        const list = value(arg[1]);
        const index = Number(value(arg[0]));
        if (!Array.isArray(list) || !(index in list)) throw new Error(`Fn::Select ${index} out of ${JSON.stringify(list)}`);
        return list[index];
      }
      default:
        return Object.fromEntries(
          Object.entries(node)
            .map(([k, v]) => [k, value(v)])
            .filter(([, v]) => v !== NO_VALUE),
        );
    }
  }
  return value;
}

/** The variables the template sets for a function: Globals, then the function's own. */
export function functionEnvironment(template, logicalId, parameters = {}) {
  const value = resolver(template, parameters);
  const globals = template.Globals?.Function?.Environment?.Variables ?? {};
  const own = template.Resources[logicalId]?.Properties?.Environment?.Variables ?? {};
  return Object.fromEntries(Object.entries(value({ ...globals, ...own })).map(([k, v]) => [k, String(v)]));
}

/** The logical id of the function built from functions/<name>/ (the Makefile target builds it). */
export function logicalIdOf(template, name) {
  const pascal = name.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase());
  const id = `${pascal}Function`;
  if (template.Resources?.[id]?.Type !== 'AWS::Serverless::Function')
    throw new Error(`template.yaml has no function ${id} for functions/${name}`);
  return id;
}
