import { isGaskitError } from '../../sdk/errors.ts';
import type { GaskitTextField } from './text-field.component.ts';

/**
 * Form handling shared by form widgets (as Shoelace's FormControlController):
 * checks every `gaskit-text-field` under its root, moves focus to the first
 * invalid one, collects values and puts the server's field errors on their
 * fields.
 */
export class FormController {
  /** `root` gives where the form's fields are: a widget's render root, or one form of it. */
  constructor(private readonly root: () => ParentNode) {}

  get fields(): GaskitTextField[] {
    return [...this.root().querySelectorAll('gaskit-text-field')];
  }

  /** Shows every field's error; focuses the first invalid field. Returns whether all are valid. */
  validate(): boolean {
    const invalid = this.fields.filter((field) => !field.reportValidity());
    invalid[0]?.focus();
    return invalid.length === 0;
  }

  /** Values of the named fields. */
  values(): Record<string, string> {
    return Object.fromEntries(this.fields.filter((field) => field.name).map((field) => [field.name, field.value]));
  }

  /**
   * Shows the error codes of a GaskitError's `fields`, with the values their texts interpolate, on
   * the matching fields and focuses the first. Returns the names of the fields that took an error.
   */
  showServerErrors(error: unknown): string[] {
    if (!isGaskitError(error)) return [];
    const matched = this.fields.filter((field) => field.name in error.fields);
    for (const field of matched) {
      field.error = error.fields[field.name] ?? '';
      field.errorParams = error.fieldParams[field.name] ?? {};
    }
    matched[0]?.focus();
    return matched.map((field) => field.name);
  }
}
