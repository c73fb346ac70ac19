import { Parser } from 'htmlparser2';

/**
 * The fields a browser would submit from the form `formId` of `html` (without pressing any
 * button): text and hidden inputs, ticked checkboxes, textareas, and each select's chosen option
 * (else its first). Controls outside the form that name it with `form=` are left out, as are
 * buttons. Values come back decoded, in document order.
 */
export function formFields(html: string, formId: string): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  let depth = 0;
  let textarea: { name: string; value: string } | null = null;
  let select: { name: string; chosen: string | null; first: string | null } | null = null;
  let option: { value: string | null; selected: boolean; text: string } | null = null;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'form') {
          if (depth > 0 || attributes.id === formId) depth += 1;
          return;
        }
        if (depth === 0) return;
        if (name === 'input') {
          const type = (attributes.type ?? 'text').toLowerCase();
          if (!attributes.name || ['submit', 'button', 'image', 'file'].includes(type)) return;
          if ((type === 'checkbox' || type === 'radio') && attributes.checked === undefined) return;
          fields.push([attributes.name, attributes.value ?? (type === 'checkbox' ? 'on' : '')]);
        } else if (name === 'textarea' && attributes.name) {
          textarea = { name: attributes.name, value: '' };
        } else if (name === 'select' && attributes.name) {
          select = { name: attributes.name, chosen: null, first: null };
        } else if (name === 'option' && select) {
          option = {
            value: attributes.value ?? null,
            selected: 'selected' in attributes,
            text: '',
          };
        }
      },
      ontext(text) {
        if (textarea) textarea.value += text;
        if (option) option.text += text;
      },
      onclosetag(name) {
        if (name === 'form' && depth > 0) depth -= 1;
        else if (name === 'textarea' && textarea) {
          // a browser drops one newline right after <textarea>
          fields.push([textarea.name, textarea.value.replace(/^\n/, '')]);
          textarea = null;
        } else if (name === 'option' && option && select) {
          const value = option.value ?? option.text;
          select.first ??= value;
          if (option.selected) select.chosen = value;
          option = null;
        } else if (name === 'select' && select) {
          const value = select.chosen ?? select.first;
          if (value !== null) fields.push([select.name, value]);
          select = null;
        }
      },
    },
    { decodeEntities: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return fields;
}
