/**
 * Array names as one whitespace-free ASCII token, the way vtkDataWriter::EncodeString writes them in legacy VTK files:
 * bytes of the name's UTF-8 that are not printable ASCII, spaces and '%' become %XX. Legacy VTK and PLY headers are
 * whitespace-separated ASCII (PLY: "the header is a series of carriage-return terminated lines of ASCII text"), so a
 * name written raw would split at a space, and non-ASCII bytes break readers that decode the header as ASCII (plyfile)
 * or as Latin-1.
 */

/** `name` with its non-printable-ASCII bytes, spaces and '%' as %XX (upper-case hex). */
export function encodePercentName(name: string): string {
  let out = '';
  for (const b of Buffer.from(name, 'utf8')) {
    out += b <= 0x20 || b >= 0x7f || b === 0x25 ? `%${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b);
  }
  return out;
}

/** The name encodePercentName wrote: %XX escapes decoded as bytes, the whole read as UTF-8. */
export function decodePercentName(raw: string): string {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  const utf8 = Buffer.from(raw, 'utf8');
  for (let i = 0; i < utf8.length; i++) {
    if (utf8[i] === 0x25 && i + 2 < utf8.length && /^[0-9a-fA-F]{2}$/.test(String.fromCharCode(utf8[i + 1], utf8[i + 2]))) {
      bytes.push(parseInt(String.fromCharCode(utf8[i + 1], utf8[i + 2]), 16));
      i += 2;
    } else {
      bytes.push(utf8[i]);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
