import * as fs from 'fs';
import * as path from 'path';

import { documentedLimitations } from '../limitations';

describe('documentedLimitations', () => {
  it('cuts the intended-use and limitation sections out of the bundled model card', () => {
    const md = fs.readFileSync(
      path.resolve(
        __dirname,
        '../../../../jupyterlab_bioimage/zoo/bioimage-nuclei-seg/README.md'
      ),
      'utf8'
    );
    const sections = documentedLimitations(md);
    expect(sections.map(s => s.heading)).toEqual([
      'Intended use',
      'Limitations'
    ]);
    // Each ends before the next heading of its level.
    expect(sections[1].text).not.toContain('## Network');
    expect(sections[1].text.length).toBeGreaterThan(20);
  });

  it('keeps subsections, stops at the next heading of the same level, ignores code fences', () => {
    const md = [
      '# Model',
      'intro',
      '## Known issues',
      'fails on **dim** images',
      '### Details',
      'more',
      '```',
      '## Limitations inside code is not a heading',
      '```',
      '## Training',
      'data',
      '# Caveats',
      'last'
    ].join('\n');
    const s = documentedLimitations(md);
    expect(s).toEqual([
      {
        heading: 'Known issues',
        text: 'fails on **dim** images\n### Details\nmore\n```\n## Limitations inside code is not a heading\n```'
      },
      { heading: 'Caveats', text: 'last' }
    ]);
  });

  it('caps a long section and finds nothing in a card without such sections', () => {
    expect(
      documentedLimitations('## Limitations\n' + 'x'.repeat(50), 10)[0].text
    ).toBe('xxxxxxxxxx…');
    expect(documentedLimitations('# A\ntext\n## Usage\nrun it')).toEqual([]);
  });
});
