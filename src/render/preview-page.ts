import type { Locale } from '../lib/index.ts';
import { escapeHtml } from './personalize.ts';

interface PageState {
  version: number;
  bodies: Partial<Record<Locale, { subject: string }>>;
  error?: string;
}

/**
 * The preview page: the subject, a language switch, the email at 600 px (desktop) and 375 px
 * (mobile) in iframes, and the text part. It reloads itself when the server announces a new
 * version (server-sent events, with polling of `/version` as a fallback). No build step.
 */
export function previewPage(state: PageState, locale: Locale, text: string | undefined): string {
  const subject = state.bodies[locale]?.subject ?? '';
  const query = `lang=${locale}&v=${state.version}`;
  const error =
    state.error === undefined
      ? ''
      : `<section class="error"><h2>Render failed</h2><pre>${escapeHtml(state.error)}</pre></section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Preview — ${escapeHtml(subject)}</title>
<style>
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: #e5e7eb; color: #111; }
  header { padding: 10px 16px; background: #111827; color: #fff; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
  header a { color: #93c5fd; }
  main { display: flex; gap: 24px; padding: 16px; align-items: flex-start; flex-wrap: wrap; }
  figure { margin: 0; }
  figcaption { font-weight: 600; margin-bottom: 6px; }
  iframe { border: 1px solid #9ca3af; background: #fff; height: 1400px; display: block; }
  pre.text { width: 560px; max-height: 1400px; overflow: auto; background: #fff; border: 1px solid #9ca3af; padding: 12px; margin: 0; white-space: pre-wrap; font: 13px/1.45 ui-monospace, monospace; }
  .error { margin: 16px; padding: 12px 16px; background: #fee2e2; border: 1px solid #ef4444; }
</style>
</head>
<body>
<header>
  <strong>${escapeHtml(subject)}</strong>
  <span>version <span id="version">${state.version}</span></span>
  <span><a href="/?lang=fr">français</a> · <a href="/?lang=en">English</a></span>
</header>
${error}
<main>
  <figure><figcaption>Desktop, 600 px</figcaption><iframe title="Desktop" width="600" src="/email.html?${query}"></iframe></figure>
  <figure><figcaption>Mobile, 375 px</figcaption><iframe title="Mobile" width="375" src="/email.html?${query}"></iframe></figure>
  <figure><figcaption>Text part</figcaption><pre class="text">${escapeHtml(text ?? '')}</pre></figure>
</main>
<script>
  const current = ${state.version};
  // Same origin: size each frame to its email, so the page scrolls instead of the frames.
  for (const frame of document.querySelectorAll('iframe')) {
    frame.addEventListener('load', () => {
      frame.style.height = frame.contentDocument.documentElement.scrollHeight + 20 + 'px';
    });
  }
  const reloadIfNewer = (version) => { if (Number(version) > current) location.reload(); };
  if ('EventSource' in window) {
    new EventSource('/events').onmessage = (event) => reloadIfNewer(event.data);
  } else {
    setInterval(() => fetch('/version').then((r) => r.json()).then((v) => reloadIfNewer(v.version)), 1500);
  }
</script>
</body>
</html>
`;
}
