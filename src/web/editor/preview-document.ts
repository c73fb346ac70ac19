import type { IssuePreview } from '../../mail/index.ts';
import { escapeHtml } from '../../render/index.ts';
import { securityHeaders } from '../security-headers.ts';

/** The widths the preview shows the email at: desktop clients and a phone. */
export const PREVIEW_WIDTHS = ['600', '375'] as const;
/** One of {@link PREVIEW_WIDTHS}. */
export type PreviewWidth = (typeof PREVIEW_WIDTHS)[number];
/** The part of the message shown: the HTML or the plain text. */
export type PreviewPart = 'html' | 'text';

/**
 * Content-Security-Policy of a preview document, shown in the composer's iframe: the email's own
 * inline styles and its images, nothing else — no script, no form, no font, no plugin; framed by
 * the workspace's own pages only, and sandboxed even when opened on its own (links open in a new
 * tab, outside the sandbox).
 */
export const previewContentSecurityPolicy: string = (() => {
  const headers = securityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'unsafe-inline'"],
        imgSrc: ['https:', 'data:'],
        scriptSrc: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'self'"],
        sandbox: ['allow-popups', 'allow-popups-to-escape-sandbox'],
      },
    },
  });
  const csp = headers['content-security-policy'];
  if (csp === undefined) throw new Error('helmet set no Content-Security-Policy');
  return csp;
})();

/** What a preview document shows. */
export interface PreviewDocumentOptions {
  part: PreviewPart;
  /** The email inside a frame of this width; absent, the email's own document as sent. */
  width?: PreviewWidth | undefined;
  /** Title of the inner frame (translated), e.g. « Aperçu à 375 px ». */
  frameTitle: string;
}

/**
 * The document the composer's iframe shows for one preview:
 *
 * - `part: 'html'` without a width: the email's HTML itself, exactly as the message carries it;
 * - `part: 'html'` with a width: a bare page holding the email in a sandboxed frame of that width
 *   (`srcdoc`, so one request), for a composer that switches widths in one pane;
 * - `part: 'text'`: the plain-text part in a `<pre>`, at that width when given.
 *
 * Every value is escaped. Pure.
 */
export function previewDocument(preview: IssuePreview, options: PreviewDocumentOptions): string {
  const lang = preview.locale;
  const title = escapeHtml(preview.subject);
  if (options.part === 'text') {
    const width = options.width === undefined ? '' : `max-width:${options.width}px;`;
    return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><title>${title}</title>
<style>body{margin:0;padding:12px;background:#fff;color:#111}pre{${width}margin:0;white-space:pre-wrap;overflow-wrap:anywhere;font:13px/1.45 ui-monospace,monospace}</style>
</head>
<body><pre>${escapeHtml(preview.text)}</pre></body>
</html>
`;
  }
  if (options.width === undefined) return preview.html;
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><title>${title}</title>
<style>html,body{margin:0;height:100%;background:#e5e7eb}iframe{display:block;margin:0 auto;border:0;background:#fff;height:100%}</style>
</head>
<body><iframe title="${escapeHtml(options.frameTitle)}" width="${options.width}" sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="${escapeHtml(preview.html)}"></iframe></body>
</html>
`;
}
