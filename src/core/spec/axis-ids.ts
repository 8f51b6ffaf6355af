/**
 * The axis ids the spec writes as single letters in format 0.4 (and in
 * kwargs such as `axes: "cyx"`): b, c, t, i stand for the 0.5 ids batch,
 * channel, time and index; space letters (x, y, z) are their own ids.
 * Both directions live here: letters → ids for the spec and the kwargs
 * readers, ids → letters for the image axes of core/inference/axes.ts.
 */

/** 0.4 axis letter to 0.5 axis id (b→batch, c→channel, ...). */
export function letterToAxisId(letter: string): string {
  switch (letter) {
    case 'b':
      return 'batch';
    case 'c':
      return 'channel';
    case 't':
      return 'time';
    case 'i':
      return 'index';
    default:
      return letter;
  }
}

/** The letter of an axis id: the inverse of {@link letterToAxisId} (custom ids stay as they are). */
export function axisIdToLetter(id: string): string {
  switch (id) {
    case 'batch':
      return 'b';
    case 'channel':
      return 'c';
    case 'time':
      return 't';
    case 'index':
      return 'i';
    default:
      return id;
  }
}
