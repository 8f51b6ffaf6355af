/**
 * The model's documented intended use and limitations, cut out of its
 * documentation (markdown): the sections whose heading says so. The text is
 * a stranger's and is only ever shown as plain text.
 */

/** Headings that introduce what a user must know before trusting a model. */
const HEADING =
  /^(#{1,6})\s+(.*\b(limitations?|intended use|known (issues|problems)|caveats?|out[- ]of[- ]scope)\b.*)$/i;

/** One documented section: its heading and its text. */
export interface IDocumentedSection {
  heading: string;
  text: string;
}

/**
 * The sections of `markdown` headed "Limitations", "Intended use", "Known
 * issues", "Caveats" or "Out of scope", each up to the next heading of the
 * same or a higher level, at most `maxChars` characters each.
 */
export function documentedLimitations(
  markdown: string,
  maxChars = 2000
): IDocumentedSection[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const sections: IDocumentedSection[] = [];
  let fence = false;
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*(```|~~~)/.test(lines[i])) {
      fence = !fence;
    }
    const m = fence ? null : HEADING.exec(lines[i]);
    if (!m) {
      continue;
    }
    const level = m[1].length;
    const body: string[] = [];
    let inFence = false;
    for (let j = i + 1; j < lines.length; j++) {
      if (/^\s*(```|~~~)/.test(lines[j])) {
        inFence = !inFence;
      }
      const h = inFence ? null : /^(#{1,6})\s/.exec(lines[j]);
      if (h && h[1].length <= level) {
        break;
      }
      body.push(lines[j]);
    }
    const text = body.join('\n').trim();
    sections.push({
      heading: m[2].trim(),
      text: text.length > maxChars ? `${text.slice(0, maxChars)}…` : text
    });
  }
  return sections;
}
