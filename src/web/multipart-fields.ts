/**
 * Reads the text fields of a small `multipart/form-data` body (RFC 7578), enough for the
 * RFC 8058 one-click POST that some mail providers send as multipart. File parts are ignored.
 * Returns undefined when the body is not a well-formed multipart body for `boundary`.
 */
export function parseMultipartFields(
  body: string,
  boundary: string,
): Record<string, string | string[]> | undefined {
  if (boundary === '' || boundary.length > 70) return undefined;
  const delimiter = `--${boundary}`;
  const parts = body.split(delimiter);
  // parts[0] is the preamble, the last one starts with `--` (the close delimiter)
  if (parts.length < 2 || !parts[parts.length - 1]?.startsWith('--')) return undefined;
  const fields: Record<string, string | string[]> = {};
  for (const part of parts.slice(1, -1)) {
    const separator = part.indexOf('\r\n\r\n');
    if (separator < 0) return undefined;
    const headers = part.slice(0, separator);
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(headers)?.[1] ?? '';
    const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined || /(?:^|;)\s*filename=/i.test(disposition)) continue;
    const value = part.slice(separator + 4).replace(/\r\n$/, '');
    const previous = fields[name];
    fields[name] =
      previous === undefined
        ? value
        : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return fields;
}

/** The boundary parameter of a `multipart/form-data` content type, or undefined. */
export function multipartBoundary(contentType: string): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}
