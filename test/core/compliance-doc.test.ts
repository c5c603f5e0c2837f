import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  complianceTables,
  DOC,
  END,
  README,
  README_END,
  README_START,
  readmeTable,
  START,
  withTables,
} from '../../scripts/compliance-table.js';

describe('docs/compliance.md', () => {
  it('shows the tables the compliance module holds now (npx tsx scripts/compliance-table.ts remakes them)', () => {
    // Prepare
    const doc = readFileSync(DOC, 'utf8');

    // Act
    const remade = withTables(doc, complianceTables());

    // Assess
    expect(doc).toBe(remade);
  });

  it('shows in README.md the step table the compliance module holds now', () => {
    // Prepare
    const readme = readFileSync(README, 'utf8');

    // Act
    const remade = withTables(readme, readmeTable(), README_START, README_END);

    // Assess
    expect(readme).toBe(remade);
  });

  it('refuses a document without its generated section rather than append one', () => {
    expect(() => withTables('# no markers', complianceTables())).toThrow(/no .* section/);
  });

  it('keeps what lies outside the markers', () => {
    // Act
    const doc = withTables(`before\n${START}\nold\n${END}\nafter`, 'NEW');

    // Assess
    expect(doc).toBe('before\nNEW\nafter');
  });
});
