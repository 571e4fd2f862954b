/**
 * A JSON string into a []byte field: go1.19.8 `src/encoding/base64/base64.go` StdEncoding.Decode
 * (decodeQuantum: padding required, '\r' and '\n' ignored, "illegal base64 data at input byte N"),
 * as decode.go literalStore calls it. Pure; part of ./index.ts (docs/go-json-decoding.md, the []byte
 * rule).
 */

const B64 = (() => {
  const m = new Int16Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) m[alphabet.charCodeAt(i)] = i;
  return m;
})();

/** StdEncoding.Decode of src: the bytes, or the CorruptInputError message */
export function base64StdDecode(src: Uint8Array): { bytes: Uint8Array } | { error: string } {
  const out = new Uint8Array(Math.floor(src.length / 4) * 3 + 3);
  let n = 0;
  let si = 0;
  const corrupt = (at: number): { error: string } => ({ error: `illegal base64 data at input byte ${String(at)}` });
  while (si < src.length) {
    // decodeQuantum
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailingErr: number | null = null;
    let done = false;
    for (let j = 0; j < 4; j++) {
      if (src.length === si) {
        if (j === 0) {
          done = true;
          dlen = 0;
          break;
        }
        return corrupt(si - j); // j == 1, or missing padding
      }
      const inb = src[si]!;
      si++;
      const o = B64[inb]!;
      if (o >= 0) {
        dbuf[j] = o;
        continue;
      }
      if (inb === 0x0a || inb === 0x0d) {
        j--;
        continue;
      }
      if (inb !== 0x3d) return corrupt(si - 1);
      // padding
      if (j === 0 || j === 1) return corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== 0x3d) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
      if (si < src.length) trailingErr = si;
      dlen = j;
      break;
    }
    if (done) break;
    const val = (dbuf[0]! << 18) | (dbuf[1]! << 12) | (dbuf[2]! << 6) | dbuf[3]!;
    if (dlen >= 2) out[n++] = (val >> 16) & 0xff;
    if (dlen >= 3) out[n++] = (val >> 8) & 0xff;
    if (dlen >= 4) out[n++] = val & 0xff;
    if (trailingErr !== null) return corrupt(trailingErr);
  }
  return { bytes: out.slice(0, n) };
}
