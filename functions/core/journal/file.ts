import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  type Claim,
  type ClaimRequest,
  type CloseRequest,
  type DecideRequest,
  type EventRecord,
  JournalError,
  type JournalSnapshot,
  type JournalStore,
  MemoryJournal,
  type TargetRecord,
} from './journal.js';

/**
 * The journal in a local JSON file (`npm run invoke -- ... --journal FILE`, `npm run undo -- ... --journal FILE`), for
 * runs without AWS that a later command reads back. The semantics are the in-memory journal's: each call reads the
 * file, applies the change and writes the file whole (through a temporary file and a rename, so a crash leaves the
 * old or the new file, never half of one). One process at a time: there is no lock between processes. Never used by
 * a deployed function.
 */
export class FileJournal implements JournalStore {
  readonly location: string;

  constructor(private readonly path: string) {
    this.location = `file:${path}`;
  }

  claim(key: string, request: ClaimRequest): Promise<Claim> {
    return this.change((journal) => journal.claim(key, request));
  }

  saveTarget(key: string, attempt: number, record: TargetRecord): Promise<void> {
    return this.change((journal) => journal.saveTarget(key, attempt, record));
  }

  close(key: string, attempt: number, request: CloseRequest): Promise<void> {
    return this.change((journal) => journal.close(key, attempt, request));
  }

  decide(key: string, request: DecideRequest): Promise<boolean> {
    return this.change((journal) => journal.decide(key, request));
  }

  async read(key: string): Promise<{ event?: EventRecord; targets: TargetRecord[] }> {
    return this.load().read(key);
  }

  /**
   * Reads, changes and writes the file with no `await` in between, so calls in this process do not interleave: the
   * in-memory journal's methods make their change before they return (they never wait), and a refused call changes
   * nothing.
   */
  private async change<T>(apply: (journal: MemoryJournal) => Promise<T>): Promise<T> {
    const journal = this.load();
    const done = apply(journal);
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(journal.snapshot(), null, 2)}\n`);
    renameSync(temporary, this.path);
    return await done;
  }

  private load(): MemoryJournal {
    if (!existsSync(this.path)) return new MemoryJournal();
    try {
      return MemoryJournal.from(JSON.parse(readFileSync(this.path, 'utf8')) as JournalSnapshot);
    } catch (error) {
      throw new JournalError(`the journal file ${this.path} could not be read: ${(error as Error).message}`, { cause: error });
    }
  }
}
