import { isDuplicateKey, key, type KeyedModel } from './keys.ts';

/**
 * Unique-insert slots: at most `max` things per owner (the accounts of a cabinet), held as the
 * documents `<owner>:0 … <owner>:<max-1>` of the caller's collection. Taking a slot inserts the
 * lowest free one; concurrent takers never share a slot and never exceed `max`, on MongoDB and on
 * FerretDB v1 alike, because each slot is a unique `_id`. Listing an owner's slots is `max` `_id`
 * lookups. A slot is given back by deleting its document.
 */

export function slotId(owner: string, slot: number): string {
  return key(owner, slot);
}

/** Takes the lowest free slot for `doc` and returns its number, or null when all `max` are taken. */
export async function takeSlot<T extends object>(model: KeyedModel, owner: string, max: number, doc: T): Promise<number | null> {
  const taken = await listSlots<{ slot: number }>(model, owner, max);
  const used = new Set(taken.map((s) => s.slot));
  for (let slot = 0; slot < max; slot += 1) {
    if (used.has(slot)) continue;
    try {
      await model.create({ ...doc, _id: slotId(owner, slot), owner, slot });
      return slot;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  return null;
}

/** The owner's taken slots, lowest first. */
export async function listSlots<D>(model: KeyedModel, owner: string, max: number): Promise<D[]> {
  const rows = await Promise.all(Array.from({ length: max }, (_, slot) => model.findById(slotId(owner, slot)).lean<D>()));
  return rows.filter((r): r is NonNullable<typeof r> => r !== null) as D[];
}

/** Gives a slot back; true when this call removed it. */
export async function releaseSlot(model: KeyedModel, owner: string, slot: number): Promise<boolean> {
  return (await model.deleteOne({ _id: slotId(owner, slot) })).deletedCount === 1;
}
