import { describe, expect, it } from 'vitest';

import { isSnsUrl } from './ses-sns-webhook.ts';
import { isFreshTimestamp } from './webhook-providers.ts';

describe('isSnsUrl', () => {
  it.each([
    'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem',
    'https://sns.eu-central-2.amazonaws.com/SimpleNotificationService-0000.pem',
    'https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-0000.pem',
    'https://sns.ap-southeast-4.amazonaws.com/SimpleNotificationService-0000.pem',
    'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-0000.pem',
  ])('takes the signing certificate URL %s', (url) => {
    expect(isSnsUrl(url, '.pem')).toBe(true);
  });

  it.each([
    'https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-0000.pem',
    'https://sns.us-east-1.amazonaws.com./SimpleNotificationService-0000.pem',
    'https://sns.us-east-1.amazonaws.com:443x/SimpleNotificationService-0000.pem',
    'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-0000.pem',
    'https://a@sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem',
    'https://evil.example/sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem',
    'https://sns-us-east-1.amazonaws.com/SimpleNotificationService-0000.pem',
    'https://xsns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem',
    'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem#x',
    'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.txt',
    'ftp://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem',
    'not a url',
  ])('refuses %s', (url) => {
    expect(isSnsUrl(url, '.pem')).toBe(false);
  });

  it('takes a SubscribeURL with its query on the SNS origin only', () => {
    const query =
      '?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:123456789012:t&Token=t';
    expect(isSnsUrl(`https://sns.eu-west-1.amazonaws.com/${query}`)).toBe(true);
    expect(isSnsUrl(`https://sns.eu-west-1.amazonaws.com:8443/${query}`)).toBe(false);
    expect(isSnsUrl(`https://sns.eu-west-1.amazonaws.com.evil.example/${query}`)).toBe(false);
  });
});

describe('isFreshTimestamp', () => {
  const now = new Date('2026-12-01T10:00:00Z');
  const seconds = (offset: number) => String(now.getTime() / 1000 + offset);
  it('takes a timestamp within the age either way, refuses others and non-numbers', () => {
    expect(isFreshTimestamp(seconds(-3600), now, 3600)).toBe(true);
    expect(isFreshTimestamp(seconds(3600), now, 3600)).toBe(true);
    expect(isFreshTimestamp(seconds(-3601), now, 3600)).toBe(false);
    expect(isFreshTimestamp(seconds(3601), now, 3600)).toBe(false);
    expect(isFreshTimestamp('1.5e9', now, 3600)).toBe(false);
    expect(isFreshTimestamp('', now, 3600)).toBe(false);
  });
});
