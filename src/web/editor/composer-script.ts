import { createHash } from 'node:crypto';

/**
 * The issue page's one script, inline, allowed by its hash ({@link composerScriptHash}) in that
 * page's Content-Security-Policy. Two enhancements of a page that works without it:
 *
 * - **live preview**: a moment after the editor stops typing (or changes a select), it presses
 *   each preview button in turn (`requestSubmit(button)`): the whole form, saved or not, is
 *   posted to the preview route and shown in that button's iframe (`formtarget`). The iframes get
 *   the preview's own documents and Content-Security-Policy, which a `fetch` into `srcdoc` would
 *   not (a `srcdoc` frame inherits the workspace page's policy);
 * - **drag and drop** of items: an item dropped on another item goes before it, one dropped on a
 *   section's "add" row goes last; the form is then posted with the same `move-item` op as the
 *   "Move" button, so nothing typed is lost;
 * - **test send of the form as it stands**: before the test-send form goes, the form's content
 *   is turned into the issue it carries (`issue-json`), saved or not, and the send's result is
 *   shown under the form (`partial=1`), so the page and its unsaved text stay.
 */
export const composerScript = `(function () {
  var form = document.getElementById('composer-form');
  if (!form || !form.requestSubmit) return;
  form.classList.add('has-script');
  var buttons = document.querySelectorAll('[data-preview-button]');
  var status = document.getElementById('preview-status');
  var timer = null;
  // A form keeps one planned navigation: a second submission in the same task would cancel the
  // first, so the frames are asked one after the other.
  function refresh() {
    var i = 0;
    (function next() {
      if (i >= buttons.length) return;
      form.requestSubmit(buttons[i]);
      i += 1;
      setTimeout(next, 40);
    })();
    if (status) status.textContent = status.getAttribute('data-updated');
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  }
  form.addEventListener('input', later);
  form.addEventListener('change', later);
  var dragged = null;
  var handles = form.querySelectorAll('[data-drag-handle]');
  for (var h = 0; h < handles.length; h++) {
    handles[h].hidden = false;
    handles[h].addEventListener('dragstart', function (event) {
      var item = event.target.closest('[data-item]');
      dragged = { section: item.getAttribute('data-section'), item: item.getAttribute('data-item') };
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', dragged.section + ':' + dragged.item);
      event.dataTransfer.setDragImage(item, 10, 10);
    });
  }
  function targetOf(event) {
    var item = event.target.closest ? event.target.closest('[data-item]') : null;
    var section = event.target.closest ? event.target.closest('[data-section-id]') : null;
    if (!section) return null;
    var index = item ? Number(item.getAttribute('data-item')) : section.querySelectorAll('[data-item]').length;
    return { section: section.getAttribute('data-section'), id: section.getAttribute('data-section-id'), index: index };
  }
  form.addEventListener('dragover', function (event) {
    if (dragged && targetOf(event)) { event.preventDefault(); event.dataTransfer.dropEffect = 'move'; }
  });
  form.addEventListener('drop', function (event) {
    var target = targetOf(event);
    if (!dragged || !target) return;
    event.preventDefault();
    var index = target.index;
    if (target.section === dragged.section && index > Number(dragged.item)) index -= 1;
    var op = document.createElement('input');
    op.type = 'hidden';
    op.name = 'op';
    op.value = 'move-item:' + dragged.section + ':' + dragged.item + ':' + target.id + ':' + index;
    form.appendChild(op);
    dragged = null;
    form.submit();
  });
  var box = document.querySelector('[data-issue-json-url]');
  var send = box ? box.querySelector('form') : null;
  if (send && window.fetch) {
    send.addEventListener('submit', function (event) {
      event.preventDefault();
      fetch(box.getAttribute('data-issue-json-url'), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(new FormData(form)).toString()
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          var data = new URLSearchParams(new FormData(send));
          if (answer && answer.issue) data.set('issue', JSON.stringify(answer.issue));
          data.set('partial', '1');
          return fetch(send.action, {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: data.toString()
          });
        })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var result = document.getElementById('test-send-result');
          // the server's own escaped fragment (test-send-result view)
          if (result) result.innerHTML = html;
        })
        .catch(function () { send.submit(); });
    });
  }
})();`;

/** The CSP source of {@link composerScript}: `'sha256-…'`. */
export const composerScriptHash = `'sha256-${createHash('sha256').update(composerScript).digest('base64')}'`;
