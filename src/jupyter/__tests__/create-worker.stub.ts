/** jsdom has no module workers: the lab jest project maps create-worker here. */
export function createInferenceWorker(): Worker {
  throw new Error(
    'Web Workers are not available in the jsdom test environment'
  );
}
