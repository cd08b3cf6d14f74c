/**
 * A PNG encoder for 8-bit RGB images (PNG specification, W3C Recommendation 2003 / ISO 15948: signature, IHDR,
 * one IDAT of zlib-deflated scanlines, IEND; every chunk with its CRC-32). Each scanline takes the filter (None,
 * Sub or Up) with the smallest sum of absolute values, the heuristic the specification suggests (§12.8), which
 * keeps flat-shaded thumbnails to a few kilobytes. No dependency beyond node:zlib.
 */
import { deflateSync } from 'node:zlib';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** CRC-32 (ISO 3309, polynomial 0xEDB88320) table. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of `bytes` (as PNG chunks and zlib's crc32 compute it). */
export function crc32(bytes: Uint8Array, start = 0xffffffff): number {
  let c = start;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/** Encodes `rgb` (width × height × 3 bytes, rows top to bottom) as a PNG file. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`encodePng: invalid size ${width} × ${height}`);
  if (rgb.length !== width * height * 3) throw new RangeError(`encodePng: ${rgb.length} bytes for a ${width} × ${height} RGB image`);
  const stride = width * 3;
  const raw = new Uint8Array(height * (stride + 1));
  const candidate = [new Uint8Array(stride), new Uint8Array(stride), new Uint8Array(stride)];
  for (let y = 0; y < height; y++) {
    const line = rgb.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? rgb.subarray((y - 1) * stride, y * stride) : undefined;
    let best = 0;
    let bestCost = Infinity;
    for (let f = 0; f < 3; f++) {
      const c = candidate[f];
      let cost = 0;
      for (let x = 0; x < stride; x++) {
        const predictor = f === 1 ? (x >= 3 ? line[x - 3] : 0) : f === 2 ? (prev ? prev[x] : 0) : 0;
        const v = (line[x] - predictor) & 0xff;
        c[x] = v;
        cost += v < 128 ? v : 256 - v;
      }
      if (cost < bestCost) {
        bestCost = cost;
        best = f;
      }
    }
    raw[y * (stride + 1)] = best;
    raw.set(candidate[best], y * (stride + 1) + 1);
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const parts = [SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
