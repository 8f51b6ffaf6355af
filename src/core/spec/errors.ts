/**
 * Error and warning collection for description parsing.
 *
 * Parsing never stops at the first problem: every finding is logged with the
 * field path it concerns (`inputs[0].axes[2].size.step`, `outputs[1].id`, ...)
 * so that a user fixing a description sees everything at once.
 */

/** One problem found in a description. */
export interface IDescriptionIssue {
  /** Field path in the description, e.g. `inputs[0].axes[2].size.step`; '' for the whole file. */
  path: string;
  message: string;
}

/** Thrown when a description is not valid; lists every problem found. */
export class DescriptionError extends Error {
  /** All problems, in the order they were found. */
  readonly issues: IDescriptionIssue[];

  constructor(issues: IDescriptionIssue[], source?: string) {
    const where = source ? ` (${source})` : '';
    const count =
      issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    const lines = issues.map(
      i => `  - ${i.path ? `${i.path}: ` : ''}${i.message}`
    );
    super(
      `invalid bioimage.io description${where}, ${count}:\n${lines.join('\n')}`
    );
    this.name = 'DescriptionError';
    this.issues = issues;
  }
}

/** Collects errors (fatal) and warnings (kept on the parsed description). */
export class IssueLog {
  readonly errors: IDescriptionIssue[] = [];
  readonly warnings: string[] = [];

  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  warn(path: string, message: string): void {
    this.warnings.push(path ? `${path}: ${message}` : message);
  }
}

/** `parent.key`, or `key` at the top level. */
export function field(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/** `parent[index]`. */
export function item(parent: string, index: number): string {
  return `${parent}[${index}]`;
}
