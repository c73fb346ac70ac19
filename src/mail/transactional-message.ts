import MailComposer from 'nodemailer/lib/mail-composer';

/**
 * Builds one transactional message (confirmation, sign-in link): `Auto-Submitted`, a
 * Message-ID `<kind>-<id>-<time>@<sender's domain>`, the text and HTML the renderer made.
 * Shared by every sender of the `transactional` queue.
 */
export async function composeTransactionalMail(mail: {
  kind: string;
  id: number;
  from: { name: string; email: string };
  replyTo?: { name?: string | null | undefined; email: string } | null | undefined;
  to: { name: string | null; email: string };
  message: { subject: string; text: string; html: string };
  date: Date;
}): Promise<{ raw: Buffer; messageId: string }> {
  const domain = mail.from.email.split('@')[1] ?? 'localhost';
  const messageId = `${mail.kind}-${mail.id}-${mail.date.getTime()}@${domain}`;
  const raw = await new MailComposer({
    from: { name: mail.from.name, address: mail.from.email },
    to: mail.to.name ? { name: mail.to.name, address: mail.to.email } : mail.to.email,
    ...(mail.replyTo
      ? { replyTo: { name: mail.replyTo.name ?? '', address: mail.replyTo.email } }
      : {}),
    subject: mail.message.subject,
    text: mail.message.text,
    html: mail.message.html,
    messageId: `<${messageId}>`,
    date: mail.date,
    headers: { 'Auto-Submitted': 'auto-generated' },
  })
    .compile()
    .build();
  return { raw, messageId };
}
