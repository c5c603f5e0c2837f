// Turns a stack trace from a deployed function's logs into TypeScript source positions, offline, with the source maps
// that the build keeps next to the code (dist/<function>/, or the deployed package) and that Lambda does not read.
//   node scripts/symbolicate.mjs <dir with handler.mjs and its maps> [trace.txt]     (trace on stdin without a file)
// Each frame `.../handler.mjs:14:1829` or `.../chunks/chunk-X.mjs:1:200` is followed by `-> functions/...ts:L:C (name)`.
// Use the maps of the very build that was deployed (same commit): `npm run build` makes the same files.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';

const [dir, file] = process.argv.slice(2);
if (!dir || !existsSync(join(dir, 'handler.mjs.map'))) {
  console.error('usage: node scripts/symbolicate.mjs <dir with handler.mjs and handler.mjs.map> [trace.txt]');
  process.exit(2);
}
const trace = readFileSync(file ?? 0, 'utf8');
const maps = new Map();

/** The map of a bundle file named in a frame: `handler.mjs` or `chunks/<name>.mjs`, under `dir`. */
function mapOf(name) {
  if (!maps.has(name)) {
    const path = join(dir, name.includes('chunks/') ? `chunks/${basename(name)}` : basename(name));
    maps.set(
      name,
      existsSync(`${path}.map`) ? { map: new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8'))), base: dirname(path) } : undefined,
    );
  }
  return maps.get(name);
}

const FRAME = /((?:file:\/\/)?[^\s()]*?((?:chunks\/)?[\w.-]+\.mjs)):(\d+):(\d+)/;
const out = trace.split('\n').map((line) => {
  const m = FRAME.exec(line);
  const found = m && mapOf(m[2]);
  if (!found) return line;
  // Stack traces count lines and columns from 1; source maps from 0.
  const entry = found.map.findEntry(Number(m[3]) - 1, Number(m[4]) - 1);
  if (!entry?.originalSource) return `${line}  -> (no mapping)`;
  const source = relative(process.cwd(), resolve(found.base, entry.originalSource));
  const name = entry.name ? ` (${entry.name})` : '';
  return `${line}  -> ${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}${name}`;
});
process.stdout.write(`${out.join('\n')}\n`);
