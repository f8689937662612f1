/** A minimal multipart/form-data parser: enough for what discord.js sends (payload_json + files[n]). */

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export function boundaryOf(contentType: string): string | null {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? '').trim() : null;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    let start = pos + delimiter.length;
    // "--" right after the delimiter closes the body.
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break;
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    // The part ends with CRLF before the next delimiter.
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
    const part = body.subarray(start, end);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8').split('\r\n');
      const data = part.subarray(headerEnd + 4);
      let name = '';
      let filename: string | undefined;
      let contentType: string | undefined;
      for (const header of headers) {
        const colon = header.indexOf(':');
        if (colon === -1) continue;
        const key = header.slice(0, colon).trim().toLowerCase();
        const value = header.slice(colon + 1).trim();
        if (key === 'content-disposition') {
          name = /\bname="([^"]*)"/i.exec(value)?.[1] ?? '';
          filename = /\bfilename="([^"]*)"/i.exec(value)?.[1];
        } else if (key === 'content-type') {
          contentType = value;
        }
      }
      const entry: MultipartPart = { name, data: Buffer.from(data) };
      if (filename !== undefined) entry.filename = filename;
      if (contentType !== undefined) entry.contentType = contentType;
      parts.push(entry);
    }
    pos = next;
  }
  return parts;
}
