/**
 * Text files from Windows tools are not always UTF-8: Windows PowerShell 5.1's `>` and `Out-File` write UTF-16
 * little-endian with a byte-order mark (Notepad's "Unicode" likewise; "Unicode big endian" is UTF-16BE). The mark says
 * so unambiguously (FF FE, FE FF; Unicode §23.8), so such a file is read as what it is rather than refused as binary
 * data for its NUL bytes. UTF-16 without a mark is not guessed at.
 */

/** The TextDecoder label of a UTF-16 file, from its byte-order mark; undefined for any other file. */
export function utf16ByteOrder(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes.length < 2) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** A UTF-16 file with its byte-order mark decoded (the mark dropped); `fatal` refuses ill-formed code units. */
export function decodeUtf16(bytes: Uint8Array, label: 'utf-16le' | 'utf-16be', fatal = false): string {
  return new TextDecoder(label, { fatal, ignoreBOM: false }).decode(bytes);
}
