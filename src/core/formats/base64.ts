/**
 * Base64 ↔ bytes for file contents moved through the Jupyter contents API and
 * the `show()` MIME bundle. Pure: runs in the page, in workers and in Node.
 */

/** Decode base64 (whitespace ignored) into bytes. */
export function base64ToBytes(b64: string): Uint8Array {
  const clean = b64.replace(/\s+/g, '');
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) {
    out[i] = bin.charCodeAt(i);
  }
  return out;
}

/** Encode bytes as base64, in chunks so large buffers do not overflow the stack. */
export function bytesToBase64(bytes: Uint8Array): string {
  const chunk = 0x8000;
  let bin = '';
  for (let i = 0; i < bytes.length; i += chunk) {
    bin += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(bin);
}
