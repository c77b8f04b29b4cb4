import type { Schema } from 'mongoose';

/**
 * `toJSON` that maps `_id` to `id`, drops `__v` and every path marked `private: true`
 * (hashes, PINs, tokens), as in hagopj13's toJSON plugin.
 */
export function toJSON(schema: Schema): void {
  const privatePaths = Object.entries(schema.paths)
    .filter(([, p]) => (p.options as { private?: boolean }).private)
    .map(([name]) => name);
  schema.set('toJSON', {
    virtuals: false,
    versionKey: false,
    transform(_doc, ret: Record<string, unknown>) {
      for (const p of privatePaths) delete ret[p];
      if (ret._id !== undefined) {
        ret.id = String(ret._id);
        delete ret._id;
      }
      return ret;
    },
  });
}
