/**
 * The state store: the choices round-trip through JSON (what the plugin
 * persists), each update says which fields changed, and persisting is
 * throttled to one save per half second with the latest choices.
 */
import { initialState, type IWizardState } from '../../state';
import { type IStateChange, WizardStateStore } from '../store';

describe('the wizard state store', () => {
  afterEach(() => jest.useRealTimers());

  it('round-trips the choices through JSON', () => {
    const store = new WizardStateStore(initialState('data/cells.tif'));
    store.update({
      modelKey: 'bundled::bioimage-nuclei-seg',
      step: 'validate',
      channels: [1, 0],
      percentiles: { min: 2, max: 99.5 },
      threshold: 0.35,
      instanceMethod: 'watershed',
      groundTruthPath: 'data/mask.tif'
    });
    const text = JSON.stringify(store.toJSON());
    const back = WizardStateStore.fromJSON(JSON.parse(text));
    expect(back).not.toBeNull();
    expect(back!.state).toEqual(store.state);
    expect(back!.state.channels).toEqual([1, 0]);
    expect(back!.state.percentiles).toEqual({ min: 2, max: 99.5 });
    // A saved entry without an image path gives no store.
    expect(
      WizardStateStore.fromJSON({ ...JSON.parse(text), imagePath: '' })
    ).toBeNull();
  });

  it('tells listeners which fields changed', () => {
    const store = new WizardStateStore(initialState('a.tif'));
    const changes: IStateChange[] = [];
    store.stateChanged.connect((_, c) => changes.push(c));
    store.update({ threshold: 0.6, minSize: 0, channels: null });
    store.update({ percentiles: { min: 1, max: 99 } });
    store.update({ percentiles: { min: 1, max: 99 } });
    expect(changes.map(c => [...c.changed])).toEqual([
      ['threshold'],
      ['percentiles'],
      []
    ]);
    expect(changes[0].before.threshold).toBe(0.5);
    expect(changes[0].after.threshold).toBe(0.6);
    expect(store.state.threshold).toBe(0.6);
  });

  it('persists the latest choices at most every half second, and on dispose', () => {
    jest.useFakeTimers();
    const saved: IWizardState[] = [];
    const store = new WizardStateStore(initialState('a.tif'), {
      persist: s => saved.push(s)
    });
    store.update({ threshold: 0.1 });
    store.update({ threshold: 0.2 });
    jest.advanceTimersByTime(499);
    expect(saved).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(saved.map(s => s.threshold)).toEqual([0.2]);
    store.update({ style: 'numpy' });
    store.dispose();
    expect(saved.map(s => s.style)).toEqual(['core', 'numpy']);
    // A copy, not the live object.
    expect(saved[1]).not.toBe(store.state);
    jest.advanceTimersByTime(1000);
    expect(saved).toHaveLength(2);
  });
});
