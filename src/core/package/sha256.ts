/**
 * SHA-256 of file bytes, browser- and Node-safe.
 *
 * WebCrypto is native and fast for large weights files, so it is used when
 * present. It is missing in non-secure browser contexts (JupyterLab served
 * over plain http from another host), where the pure-TypeScript
 * @noble/hashes implementation takes over. It is imported lazily because it
 * ships as ES module only, which the CommonJS test runtime cannot require.
 */

/** Lower-case hex SHA-256 of some bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  let digest: Uint8Array;
  if (subtle) {
    // digest() wants an ArrayBuffer-backed view; copy only if it is not one.
    const view =
      bytes.buffer instanceof ArrayBuffer
        ? (bytes as Uint8Array<ArrayBuffer>)
        : new Uint8Array(bytes);
    digest = new Uint8Array(await subtle.digest('SHA-256', view));
  } else {
    const { sha256 } = await import('@noble/hashes/sha2.js');
    digest = sha256(bytes);
  }
  return Array.from(digest, b => b.toString(16).padStart(2, '0')).join('');
}
