/** Types of scripts/template.mjs, for the tests. */
/** template.yaml as parsed: a CloudFormation document, its sections of any shape. */
export type Template = Record<string, unknown>;
export function loadTemplate(path?: URL | string): Template;
export function resolver(template: object, parameters?: Record<string, string>): (node: unknown) => unknown;
export function functionEnvironment(template: Template, logicalId: string, parameters?: Record<string, string>): Record<string, string>;
export function logicalIdOf(template: Template, name: string): string;
