/**
 * Validate, the report block: the warnings gathered so far (fit, domain
 * shift, a failed test), the model's own words on intended use and
 * limitations, and a way to its card.
 */
import { block, button, h, IStepContext } from './common';

/** 5. Warnings so far, the authors' limitations, the model card. */
export function limitationsBlock(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const entry = session.choice.entry;
  const warnings = [
    ...(session.choice.fit?.reasons
      .filter(r => r.level !== 'ok')
      .map(r => r.message) ?? []),
    ...(session.preview.inputPreview?.shift?.checks
      .filter(c => c.level !== 'ok')
      .map(c => c.message) ?? []),
    ...(session.validation.testReport && !session.validation.testReport.passed
      ? [trans.__('The model does not reproduce its own test here.')]
      : [])
  ];
  const list = h('ul', { className: 'jp-BioImage-warnings' });
  for (const w of warnings) {
    list.append(h('li', { textContent: w }));
  }
  return block(
    trans.__('5. Report'),
    'jp-mod-summary',
    warnings.length
      ? list
      : h('p', { textContent: trans.__('No warnings so far.') }),
    ...limitationNodes(ctx),
    ...(entry
      ? [
          button(
            trans.__('Open the model card'),
            'jp-BioImage-wizardCard',
            () => ctx.openCard(entry.key)
          )
        ]
      : [])
  );
}

/** The model's own words on intended use and limitations (plain text). */
function limitationNodes(ctx: IStepContext): Node[] {
  const { session, trans } = ctx;
  const sections = session.choice.limitations;
  if (sections === null) {
    void session.choice.loadLimitations();
    return [];
  }
  if (!sections.length) {
    return [
      h('p', {
        className: 'jp-BioImage-hint',
        textContent: trans.__(
          'The model’s documentation has no section on intended use or limitations: ask its authors, or read its card before publishing results.'
        )
      })
    ];
  }
  return sections.map(s =>
    h(
      'div',
      { className: 'jp-BioImage-wizardLimitations' },
      h('h4', { textContent: trans.__('The authors: %1', s.heading) }),
      h('p', {
        className: 'jp-BioImage-wizardLimitationsText',
        textContent: s.text
      })
    )
  );
}
