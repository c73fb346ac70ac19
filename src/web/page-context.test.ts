import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';

import { pathOf, queryWithoutLang } from './page-context.ts';

const request = (method: string, url: string) => ({ method, url }) as FastifyRequest;

describe('queryWithoutLang', () => {
  it.each([
    ['/archive/adn?q=%C3%A9v%C3%A9nement&lang=en', 'q=%C3%A9v%C3%A9nement'],
    ['/archive/adn?lang=en&q=a+b&q=c', 'q=a+b&q=c'],
    ['/archive/adn?q=%22%3E%3Cscript%3E', 'q=%22%3E%3Cscript%3E'],
    ['/archive/adn?lang=fr', ''],
    ['/archive/adn', ''],
  ])('keeps the parameters of GET %s but lang', (url, expected) => {
    expect(queryWithoutLang(request('GET', url))).toBe(expected);
  });

  it('keeps nothing of a POST: its page switches to the GET page', () => {
    expect(queryWithoutLang(request('POST', '/subscribe?lang=en&x=1'))).toBe('');
  });
});

describe('pathOf', () => {
  it.each([
    ['/archive/adn?q=x', '/archive/adn'],
    ['/subscribe', '/subscribe'],
    ['//evil.example/x?lang=en', '/evil.example/x'],
    ['/\\evil.example/x', '/evil.example/x'],
  ])('reads %j as the path %j of this site', (url, expected) => {
    expect(pathOf(request('GET', url))).toBe(expected);
  });
});
