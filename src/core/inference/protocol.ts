/**
 * Messages between the main thread ({@link InferenceClient}) and the
 * inference Web Worker. Every request carries an id; the worker answers with
 * any number of `progress` messages and exactly one `result` or `error`.
 * Array data travels as transferable ArrayBuffers, never copied.
 */
import type { IProcessingStep } from '../spec/types';
import type { INDArray } from '../tensor/tensor';

/** Where the worker reads a model package from. */
export type PackageSource =
  /** An http(s) URL of the description; relative sources resolve against it. */
  | { kind: 'url'; url: string }
  /** The package's files, e.g. read from a .zip or the Jupyter contents API. */
  | {
      kind: 'files';
      files: Record<string, Uint8Array>;
      descriptionName?: string;
    };

/** Execution backends; `auto` picks the best available one. */
export type BackendChoice = 'auto' | 'webgpu' | 'webnn' | 'wasm';

/** What the worker found about the environment. */
export interface IEnvironmentReport {
  webgpu: { available: boolean; fallbackAdapter: boolean; reason?: string };
  webnn: { available: boolean; reason?: string };
  crossOriginIsolated: boolean;
  /** Backends `auto` would try, best first. */
  autoOrder: string[];
  /**
   * wasm threads: what a session gets by default here, whether more than
   * one can run, and why not.
   */
  threads: { default: number; available: boolean; reason?: string };
}

/** The outcome of one output's comparison in a model test. */
export interface IOutputTestResult {
  outputId: string;
  maxAbsDiff: number;
  mismatched: number;
  mismatchedPpm: number;
  allowedPpm: number;
  passed: boolean;
}

/** The outcome of running a model's own test. */
export interface ITestReport {
  passed: boolean;
  backend: string;
  /** wasm threads the session ran with. */
  threads: number;
  outputs: IOutputTestResult[];
  milliseconds: number;
}

/** A prediction: one array per model output, in the image's frame. */
export interface IPredictReport {
  backend: string;
  /** wasm threads the session ran with. */
  threads: number;
  outputs: Array<{ id: string; axes: string[]; array: INDArray }>;
  tiles: number;
  milliseconds: number;
}

export type WorkerRequest =
  | { type: 'probe'; id: number }
  | {
      type: 'open';
      id: number;
      source: PackageSource;
      backend: BackendChoice;
      /**
       * wasm threads to ask for; default: one per CPU (up to 4) when the
       * page is cross-origin isolated, else 1. The open report says what
       * the session got.
       */
      numThreads?: number;
    }
  | { type: 'test'; id: number; modelKey: string }
  | {
      type: 'predict';
      id: number;
      modelKey: string;
      /**
       * One image per model input, with its axes as letters (e.g. `yx`),
       * the image channels to feed and axes fixed to one index (e.g. a z
       * plane for a 2D model).
       */
      inputs: Array<{
        array: INDArray;
        axes: string;
        channels?: number[];
        select?: Record<string, number>;
      }>;
      /**
       * Replaces the described preprocessing of each input (by position;
       * null keeps the model's own), e.g. other percentiles for
       * `scale_range`. The user's adjustment, reported with the result.
       */
      preprocessing?: Array<IProcessingStep[] | null>;
      /** Block (tile) size per axis id; omitted: untiled when it fits. */
      blockShape?: Record<string, number>;
    }
  | { type: 'cancel'; id: number; target: number }
  | { type: 'close'; id: number; modelKey: string }
  | IBenchRequest;

/**
 * Time raw inference: `runs` session runs on one random input of the
 * graph's input shape, after `warmup` untimed runs.
 */
export interface IBenchRequest {
  type: 'bench';
  id: number;
  modelKey: string;
  runs: number;
  /** Untimed runs first (default 1): the first run tiers up the wasm code. */
  warmup?: number;
  /** Input shapes to use where the graph's dims are dynamic (by position). */
  shapes?: number[][];
}

/** What `bench` answers; times in milliseconds. */
export interface IBenchReport {
  backend: string;
  /** wasm threads the session ran with. */
  threads: number;
  inputShapes: number[][];
  warmupMs: number[];
  runMs: number[];
  medianMs: number;
  minMs: number;
}

/** What `open` answers. */
export interface IOpenReport {
  modelKey: string;
  name: string;
  backend: string;
  /** wasm threads the session runs with. */
  threads: number;
  /** Threads asked for (the default when the request gave none). */
  threadsRequested: number;
  /** Why `threads` differs from `threadsRequested`. */
  threadsReason?: string;
  inputNames: string[];
  outputNames: string[];
  milliseconds: number;
}

export type WorkerResponse =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; message: string; cancelled?: boolean };
