/** The frames of the issue page's preview: language, part and width of each. */
export const previewFrames = [
  { key: 'fr-600', locale: 'fr', part: 'html', width: '600' },
  { key: 'fr-375', locale: 'fr', part: 'html', width: '375' },
  { key: 'fr-text', locale: 'fr', part: 'text', width: '600' },
  { key: 'en-600', locale: 'en', part: 'html', width: '600' },
  { key: 'en-375', locale: 'en', part: 'html', width: '375' },
  { key: 'en-text', locale: 'en', part: 'text', width: '600' },
] as const;
