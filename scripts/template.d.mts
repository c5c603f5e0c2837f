/** Types of scripts/template.mjs, for the tests. */
export function loadTemplate(path?: URL | string): any;
export function resolver(template: any, parameters?: Record<string, string>): (node: unknown) => unknown;
export function functionEnvironment(template: any, logicalId: string, parameters?: Record<string, string>): Record<string, string>;
export function logicalIdOf(template: any, name: string): string;
