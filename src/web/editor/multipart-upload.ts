/** A file part of a `multipart/form-data` body. */
export interface UploadedFile {
  /** the form field's name */
  fieldName: string;
  /** the name the browser gave, without any folder */
  fileName: string;
  contentType: string;
  data: Buffer;
}

/** The fields and files of a `multipart/form-data` body. */
export interface MultipartUpload {
  fields: Record<string, string | string[]>;
  files: UploadedFile[];
}

const crlf = Buffer.from('\r\n');
const headerEnd = Buffer.from('\r\n\r\n');

/**
 * Reads a `multipart/form-data` body (RFC 7578) with its file parts, byte for byte: a CSV in
 * Windows-1252 stays as uploaded. Returns undefined when the body is not a well-formed
 * multipart body for `boundary`. The whole body is in memory: the route's body limit bounds it.
 */
export function parseMultipartUpload(body: Buffer, boundary: string): MultipartUpload | undefined {
  if (boundary === '' || boundary.length > 70) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  let at = body.indexOf(delimiter);
  if (at < 0) return undefined;
  at += delimiter.length;
  const upload: MultipartUpload = { fields: {}, files: [] };
  for (;;) {
    if (body.subarray(at, at + 2).toString('latin1') === '--') return upload;
    if (!body.subarray(at, at + 2).equals(crlf)) return undefined;
    const headersStart = at + 2;
    const headersEnd = body.indexOf(headerEnd, headersStart);
    if (headersEnd < 0) return undefined;
    const contentStart = headersEnd + headerEnd.length;
    const contentEnd = body.indexOf(next, contentStart);
    if (contentEnd < 0) return undefined;
    const headers = body.subarray(headersStart, headersEnd).toString('utf8');
    addPart(upload, headers, body.subarray(contentStart, contentEnd));
    at = contentEnd + next.length;
  }
}

function addPart(upload: MultipartUpload, headers: string, content: Buffer): void {
  const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(headers)?.[1] ?? '';
  const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
  if (name === undefined) return;
  const fileName = /(?:^|;)\s*filename="([^"]*)"/i.exec(disposition)?.[1];
  if (fileName !== undefined) {
    const contentType = /^content-type:\s*([^\r\n]+)$/im.exec(headers)?.[1]?.trim() ?? '';
    upload.files.push({
      fieldName: name,
      fileName: fileName.split(/[\\/]/).pop() ?? '',
      contentType,
      data: Buffer.from(content),
    });
    return;
  }
  const value = content.toString('utf8');
  const previous = upload.fields[name];
  upload.fields[name] =
    previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
}
