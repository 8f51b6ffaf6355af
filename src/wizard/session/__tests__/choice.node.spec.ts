/**
 * The image and model choice, and the facade's persistence: the stardist
 * image is read and summarised, the bundled models are ranked (again when
 * the wanted task or a test status changes), choosing a model sets the
 * fit's suggestions, the documented limitations are the README's sections,
 * and the choices reach the plugin's saveState callback.
 */
import * as fs from 'fs';
import * as path from 'path';

import { documentedLimitations } from '../../../core/analysis/limitations';
import { initialState, restoreState } from '../../state';
import { WizardSession } from '../wizard-session';
import { DENOISE, nodeServices, NUCLEI_SEG } from './node-services';

jest.mock('quick-lru', () => ({ __esModule: true, default: class {} }));
jest.mock('web-worker', () => ({ __esModule: true, default: class {} }));

describe('the model choice', () => {
  it('reads the image, ranks the models and takes the chosen fit', async () => {
    const { services, catalog, saved } = await nodeServices([
      NUCLEI_SEG,
      DENOISE
    ]);
    const session = new WizardSession(services, initialState('img2d.tif'));
    let emitted = 0;
    session.choice.choiceChanged.connect(() => emitted++);
    await session.loadImage();
    expect(session.activity.error).toBeNull();
    expect(emitted).toBe(1);
    const summary = session.choice.summary!;
    expect(summary.name).toBe('img2d.tif');
    expect(summary.sizes).toMatchObject({ y: 512, x: 512, c: 1, z: 1 });
    expect(session.choice.fits.map(f => f.key).sort()).toEqual(
      [catalog.keyOf(NUCLEI_SEG), catalog.keyOf(DENOISE)].sort()
    );

    // Asking for segmentation puts the segmentation model first.
    session.update({ wantedTask: 'segmentation' });
    expect(emitted).toBe(2);
    expect(session.choice.fits[0].key).toBe(catalog.keyOf(NUCLEI_SEG));
    // A test status re-ranks too.
    catalog.setTestStatus(catalog.keyOf(DENOISE), {
      passed: false,
      maxAbsDiff: 1,
      backend: 'wasm',
      milliseconds: 1
    });
    expect(emitted).toBe(3);

    session.chooseModel(catalog.keyOf(NUCLEI_SEG));
    expect(session.state).toMatchObject({
      modelKey: catalog.keyOf(NUCLEI_SEG),
      step: 'adapt',
      outputId: 'probabilities',
      outputChannel: 0,
      percentiles: null
    });
    expect(session.choice.model!.name).toBe('Bioimage Nuclei Segmentation 2D');
    expect(session.choice.segmentation).toBe(true);
    // A 2D single-channel image on a 2D model: nothing is fixed, nothing resampled.
    expect(session.choice.selection()).toEqual({});
    expect(session.choice.rescaleSize()).toBeNull();
    expect(session.choice.preprocessing()).toEqual(
      session.choice.model!.inputs[0].processing
    );

    expect(session.choice.limitations).toBeNull();
    await session.choice.loadLimitations();
    const readme = fs.readFileSync(path.join(NUCLEI_SEG, 'README.md'), 'utf8');
    expect(session.choice.limitations).toEqual(documentedLimitations(readme));
    expect(session.choice.limitations!.map(s => s.heading)).toEqual(
      expect.arrayContaining(['Intended use', 'Limitations'])
    );

    // The choices reach the plugin's callback (at most every half second, and on dispose).
    session.dispose();
    expect(restoreState(saved[saved.length - 1])).toEqual(session.state);
  });
});
