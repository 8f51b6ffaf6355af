/**
 * The single error type the decoders throw, with messages meant for users:
 * what is wrong and what they can do about it.
 */

/** Why decoding failed, for callers that react differently (e.g. offer a limit change). */
export type DecodeErrorKind =
  | 'unsupported-format'
  | 'corrupt'
  | 'truncated'
  | 'unsupported-compression'
  | 'unsupported-layout'
  | 'too-large'
  | 'bad-argument';

/** A failure to decode an image; `message` is shown to the user as is. */
export class DecodeError extends Error {
  /** Machine-readable reason. */
  readonly kind: DecodeErrorKind;

  constructor(kind: DecodeErrorKind, message: string) {
    super(message);
    this.name = 'DecodeError';
    this.kind = kind;
  }
}

/** Human-readable byte count: 1536 → '1.5 KB', 3.2e9 → '3.2 GB' (binary units). */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) {
    return `${n} bytes`;
  }
  const digits = v >= 100 || Number.isInteger(v) ? 0 : 1;
  return `${v.toFixed(digits)} ${units[u]}`;
}

/**
 * Throw a 'too-large' DecodeError if `needed` bytes exceed `limit`. Called with
 * sizes computed from headers, before allocating.
 */
export function checkSize(
  needed: number,
  limit: number,
  fileName: string,
  hint = 'open one plane at a time or raise the limit in Settings → BioImage'
): void {
  if (!Number.isFinite(needed) || needed > limit) {
    const size = Number.isFinite(needed)
      ? formatBytes(needed)
      : 'an unbounded amount of';
    throw new DecodeError(
      'too-large',
      `${fileName}: this image would need ${size} in memory, more than the ` +
        `${formatBytes(limit)} limit; ${hint}.`
    );
  }
}
