import { createHash } from 'node:crypto';

/**
 * The hash that recognises an archive already imported: sha256 of its text in a normal form,
 * so the same chat is the same archive whatever its line endings or encoding marks.
 *
 * Normal form: UTF-8 without a byte-order mark, lines ending in LF (CRLF and lone CR become
 * LF), no spaces or tabs at the end of a line, and no blank lines, spaces or newline at the
 * end of the file. Nothing else changes: a different word is a different archive.
 *
 * Compatibility: databases written before this stored sha256 of the raw bytes. An archive
 * already in normal form (the seed archives are: LF, no BOM, no trailing newline) has the
 * same hash both ways, so its variants match those old rows too; for any other file the
 * importer also looks up the raw-bytes hash (Transcript.rawSha256), so re-importing the very
 * same file is still recognised. New rows store this normalised hash.
 */
export function archiveContentHash(input: Uint8Array | string): string {
  return createHash('sha256').update(normaliseArchiveText(input)).digest('hex');
}

export function normaliseArchiveText(input: Uint8Array | string): string {
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\s+$/, '');
}
