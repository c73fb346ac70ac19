import { createHash } from 'node:crypto';

/**
 * The campaign page's one script, inline: every 3 seconds it reads
 * `/editor/campaigns/:id/progress` (`data-progress-url`) and writes the figures into the
 * elements marked `data-field`, and the bar; when the campaign's state changes it reloads the
 * page once, so the buttons fit the new state. Without JavaScript the page shows the figures of
 * its load and a reload link. The page's Content-Security-Policy allows this script by its hash
 * ({@link progressScriptHash}) and nothing else.
 */
export const progressScript = `(function () {
  var root = document.getElementById('campaign-progress');
  if (!root || !window.fetch) return;
  var url = root.getAttribute('data-progress-url');
  var state = root.getAttribute('data-status');
  function field(name, text) {
    var nodes = root.querySelectorAll('[data-field="' + name + '"]');
    for (var i = 0; i < nodes.length; i++) nodes[i].textContent = text;
  }
  function tick() {
    fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (p) {
        if (p.status.status !== state) { window.location.reload(); return; }
        var keys = Object.keys(p.text);
        for (var i = 0; i < keys.length; i++) field(keys[i], p.text[keys[i]]);
        var bar = root.querySelector('progress');
        if (bar) { bar.max = Math.max(p.status.total, 1); bar.value = p.finished; }
        if (!p.isSettled) setTimeout(tick, 3000);
      })
      .catch(function () { setTimeout(tick, 15000); });
  }
  setTimeout(tick, 3000);
})();`;

/** The CSP source of {@link progressScript}: `'sha256-…'`. */
export const progressScriptHash = `'sha256-${createHash('sha256').update(progressScript).digest('base64')}'`;
