import { NumberEntry } from './models.ts';
import { append } from './streams.ts';

/**
 * Counters: the next number of `name` (request numbers "№ 12"), 1, 2, 3… with no number given
 * twice and none skipped, under any number of concurrent callers on any number of instances.
 * A counter is a gap-free stream with nothing in it but its numbers (streams.ts), so it holds on
 * FerretDB v1, where `$inc` loses updates under concurrency. Cost: about one `_id` lookup and one
 * insert per number.
 */
export async function nextNumber(name: string): Promise<number> {
  return append(NumberEntry, name, {}, { stored: true });
}
