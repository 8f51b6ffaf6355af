/**
 * Descriptions are written and read by PyYAML, which accepts multi-line
 * quoted strings whose continuation lines are not indented deeper than their
 * key (strict YAML 1.2 and the `yaml` package do not). Real files do this,
 * e.g.
 *
 *     cite:
 *       - text: 'Goldsborough, T. et al. (2024) InstanSeg: an embedding-based
 *         algorithm ...'          <- only as deep as `text:`
 *
 * This repair indents such continuation lines so the text parses the way
 * PyYAML reads it. It is only tried after a strict parse failed.
 */

/** The text with under-indented quoted-scalar continuation lines indented, or undefined if nothing changed. */
export function indentQuotedContinuations(text: string): string | undefined {
  const lines = text.split('\n');
  let changed = false;
  let open: { quote: string; indent: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (open) {
      const indent = line.length - line.trimStart().length;
      if (line.trim() !== '' && indent <= open.indent) {
        lines[i] = ' '.repeat(open.indent + 2 - indent) + line;
        changed = true;
      }
      if (closes(line, open.quote)) {
        open = undefined;
      }
      continue;
    }
    // `key: 'text...` or `- key: "text...` with the quote left open on this line.
    const m = /^(\s*)(?:- )?[^\s:#'"][^:#]*:\s+(['"])(.*)$/.exec(line);
    if (m && !closes(m[3], m[2])) {
      open = {
        quote: m[2],
        indent: m[1].length + (line.trimStart().startsWith('- ') ? 2 : 0)
      };
    }
  }
  return changed ? lines.join('\n') : undefined;
}

/** Whether `rest` (text after an opening quote) contains the closing quote. */
function closes(rest: string, quote: string): boolean {
  if (quote === "'") {
    // '' is an escaped quote inside single-quoted text.
    return rest.replace(/''/g, '').includes("'");
  }
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '\\') {
      i++;
    } else if (rest[i] === '"') {
      return true;
    }
  }
  return false;
}
