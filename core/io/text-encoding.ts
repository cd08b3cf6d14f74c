/**
 * Text files from Windows tools are not always UTF-8: Windows PowerShell 5.1's `>` and `Out-File` write UTF-16
 * little-endian with a byte-order mark (Notepad's "Unicode" likewise; "Unicode big endian" is UTF-16BE). The mark says
 * so unambiguously (FF FE, FE FF; Unicode §23.8), so such a file is read as what it is rather than refused as binary
 * data for its NUL bytes. UTF-16 without a mark is not guessed at. A TextDecoder of the label returned drops the mark
 * (and UTF-8's), as its ignoreBOM option is false by default.
 */

/** The TextDecoder label of a text file: UTF-16 where its byte-order mark says so, else UTF-8. */
export function textEncodingOf(bytes: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}
