/**
 * `validate <description|folder|zip|url>`: the format checks of the
 * description (every problem with its field path). Files the description
 * refers to are not read; `test` checks those.
 */
import { EXIT_OK, ICliIO, openPackage } from './common';

export async function validateCommand(
  location: string,
  io: ICliIO
): Promise<number> {
  // Throws DescriptionError (exit 1, one "path: message" line per
  // problem) or "not a model" / "does not exist" errors.
  const pkg = await openPackage(location);
  const m = pkg.model;
  io.out(
    `valid: '${m.name}'${m.id ? ` (${m.id})` : ''} is a bioimage.io model description, ` +
      `format ${m.formatVersion} (${pkg.descriptionName})`
  );
  for (const w of m.warnings) {
    io.out(`  warning: ${w}`);
  }
  return EXIT_OK;
}
