/**
 * Bounded decompression of one TIFF strip or tile (Deflate, LZW, PackBits)
 * into a buffer of the size its tags declare. A decompression bomb (a 1 MB
 * strip that inflates to 1 GiB) is stopped as soon as the output passes that
 * size, so neither time nor memory depend on what the data claims to hold.
 * geotiff's own decoders inflate everything first, which is why these exist.
 */
import { Unzlib } from 'fflate';

/** Why a strip could not be decompressed; read.ts adds the file and page. */
export class CodecError extends Error {
  /** 'overflow': more data than the tags allow; 'invalid': bad stream; 'unsupported': a variant we do not read. */
  readonly reason: 'overflow' | 'invalid' | 'unsupported';

  constructor(reason: CodecError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

/**
 * Compressed bytes fed to the inflater per call. Deflate expands at most
 * ~1032:1, so one call produces at most ~16 MiB before the size check runs.
 */
const INFLATE_CHUNK = 16 * 1024;

const overflow = (cap: number): CodecError =>
  new CodecError(
    'overflow',
    `decompresses to more than the ${cap} bytes its tags declare`
  );

/**
 * Inflate zlib data (TIFF compression 8 and 32946) into at most `cap` bytes.
 * Returns the output and how many bytes were written.
 */
export function inflateBounded(
  data: Uint8Array,
  cap: number
): { out: Uint8Array; length: number } {
  const out = new Uint8Array(cap);
  let length = 0;
  let ended = false;
  const z = new Unzlib((chunk, final) => {
    if (length + chunk.length > cap) {
      throw overflow(cap);
    }
    out.set(chunk, length);
    length += chunk.length;
    ended = final;
  });
  // Small strips get small chunks, so a bomb is caught after ~1 MB of output.
  const step = Math.max(1024, Math.min(INFLATE_CHUNK, Math.ceil(cap / 256)));
  try {
    for (let i = 0; i < data.length && !ended; i += step) {
      z.push(data.subarray(i, i + step), i + step >= data.length);
    }
  } catch (e) {
    if (e instanceof CodecError) {
      throw e;
    }
    const msg = e instanceof Error ? e.message : String(e);
    throw new CodecError('invalid', `is not valid Deflate data (${msg})`);
  }
  return { out, length };
}

/** TIFF LZW codes (Compression 5): MSB-first, 9–12 bits, "early change". */
const CLEAR = 256;
const EOI = 257;
const MAX_CODES = 4096;

/** Decode TIFF LZW into at most `cap` bytes. */
export function lzwBounded(
  data: Uint8Array,
  cap: number
): { out: Uint8Array; length: number } {
  if (data.length >= 2 && data[0] === 0 && data[1] & 1) {
    // The pre-1992 LSB-first variant (libtiff "old-style LZW").
    throw new CodecError(
      'unsupported',
      'uses old-style (LSB-first) LZW, which is not supported yet'
    );
  }
  const out = new Uint8Array(cap);
  // The string of code k: its last byte, the code of its prefix, its length.
  const suffix = new Uint8Array(MAX_CODES);
  const prefix = new Uint16Array(MAX_CODES);
  const len = new Uint16Array(MAX_CODES);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    len[i] = 1;
  }
  let next = 258;
  let width = 9;
  let prev = -1;
  let o = 0;
  // Bit reader: `buf` holds the `nb` not yet consumed bits, MSB first.
  let buf = 0;
  let nb = 0;
  let ip = 0;
  /** Write the string of `code` at `o`; returns its first byte. */
  const emit = (code: number): number => {
    const n = len[code];
    if (o + n > cap) {
      throw overflow(cap);
    }
    let c = code;
    for (let k = o + n - 1; k >= o; k--) {
      out[k] = suffix[c];
      c = prefix[c];
    }
    o += n;
    return out[o - n];
  };
  for (;;) {
    while (nb < width && ip < data.length) {
      buf = (buf << 8) | data[ip++];
      nb += 8;
    }
    if (nb < width) {
      break; // data ended without an EOI code: libtiff accepts that too
    }
    const code = (buf >>> (nb - width)) & ((1 << width) - 1);
    nb -= width;
    buf &= (1 << nb) - 1;
    if (code === EOI) {
      break;
    }
    if (code === CLEAR) {
      next = 258;
      width = 9;
      prev = -1;
      continue;
    }
    if (prev < 0) {
      if (code > 255) {
        throw new CodecError(
          'invalid',
          `is not valid LZW data (code ${code} right after a reset)`
        );
      }
      emit(code);
      prev = code;
      continue;
    }
    if (code > next || (code === next && next >= MAX_CODES)) {
      throw new CodecError(
        'invalid',
        `is not valid LZW data (code ${code} before it was defined)`
      );
    }
    if (code < next) {
      const firstByte = emit(code);
      if (next < MAX_CODES) {
        prefix[next] = prev;
        suffix[next] = firstByte;
        len[next] = len[prev] + 1;
      }
    } else {
      // KwKwK: the code being defined is the previous string plus its own first byte.
      let c = prev;
      while (len[c] > 1) {
        c = prefix[c];
      }
      prefix[next] = prev;
      suffix[next] = suffix[c];
      len[next] = len[prev] + 1;
      emit(next);
    }
    // A full table stays as it is until the encoder sends a reset.
    if (next < MAX_CODES) {
      next++;
    }
    prev = code;
    // "Early change": the width grows one code before the table fills.
    if (next + 1 >= 1 << width && width < 12) {
      width++;
    }
  }
  return { out, length: o };
}

/** Decode PackBits (Compression 32773) into at most `cap` bytes. */
export function packBitsBounded(
  data: Uint8Array,
  cap: number
): { out: Uint8Array; length: number } {
  const out = new Uint8Array(cap);
  let o = 0;
  let i = 0;
  while (i < data.length) {
    const n = (data[i++] << 24) >> 24;
    if (n >= 0) {
      if (o + n + 1 > cap) {
        throw overflow(cap);
      }
      if (i + n + 1 > data.length) {
        throw new CodecError(
          'invalid',
          'is not valid PackBits data (a literal run ends early)'
        );
      }
      out.set(data.subarray(i, i + n + 1), o);
      o += n + 1;
      i += n + 1;
    } else if (n !== -128) {
      if (o + 1 - n > cap) {
        throw overflow(cap);
      }
      out.fill(data[i++], o, o + 1 - n);
      o += 1 - n;
    }
  }
  return { out, length: o };
}
