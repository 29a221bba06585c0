/**
 * Reads a request body of at most `maxBytes`. With a Content-Length (Stripe always sends one)
 * Node's HTTP parser guarantees the body has exactly that many bytes, so the header is checked
 * first and the body read in one go; a chunked body is counted as it streams and abandoned at
 * the limit, so an oversized delivery is never held in memory.
 */
export async function readBoundedBody(
  request: Request,
  declaredLength: string | undefined,
  maxBytes: number,
): Promise<Uint8Array | 'too_large'> {
  if (declaredLength !== undefined) {
    if (!/^\d+$/.test(declaredLength) || Number(declaredLength) > maxBytes) return 'too_large';
    const bytes = new Uint8Array(await request.arrayBuffer());
    return bytes.byteLength > maxBytes ? 'too_large' : bytes;
  }
  const reader = request.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return 'too_large';
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
