import { initialState, restoreState } from '../state';

describe('wizard state', () => {
  it('restores a saved state field by field', () => {
    const saved = {
      ...initialState('data/cells.tif', 'bundled:bioimage-nuclei-seg'),
      step: 'validate',
      channels: [2],
      threshold: 0.7,
      tile: 256,
      percentiles: { min: 1, max: 99.8 },
      instanceMethod: 'watershed',
      style: 'numpy'
    };
    const s = restoreState(JSON.parse(JSON.stringify(saved)));
    expect(s).toEqual(saved);
  });

  it('replaces malformed fields by defaults and needs an image path', () => {
    expect(restoreState({ modelKey: 'x' })).toBeNull();
    expect(restoreState('nonsense')).toBeNull();
    const s = restoreState({
      imagePath: 'a.tif',
      step: 'explode',
      channels: [-1],
      threshold: 3,
      tile: 2.5,
      percentiles: { min: 50, max: 10 },
      instanceMethod: 'rm -rf',
      style: 'perl',
      minSize: -4
    });
    expect(s).toEqual(initialState('a.tif'));
  });
});
