/**
 * The axis ids the spec writes as single letters in format 0.4 (and in
 * kwargs such as `axes: "cyx"`): b, c, t, i stand for the 0.5 ids batch,
 * channel, time and index; space letters (x, y, z) are their own ids.
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
