import { execFile, execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether a private Postfix can run here: the binaries, root, and the `postfix` user. */
export function canRunPrivatePostfix(): { ok: true } | { ok: false; reason: string } {
  try {
    execFileSync('postconf', ['-d', 'mail_version'], { stdio: 'ignore' });
  } catch {
    return { ok: false, reason: 'Postfix is not installed (.ci/run installs Debian postfix)' };
  }
  if (process.getuid?.() !== 0) return { ok: false, reason: 'a private Postfix needs root' };
  try {
    execFileSync('id', ['-u', 'postfix'], { stdio: 'ignore' });
  } catch {
    return { ok: false, reason: 'the postfix user does not exist' };
  }
  return { ok: true };
}

/** Options of {@link startPrivatePostfix}. */
export interface PrivatePostfixOptions {
  /** Loopback port its smtpd listens on. */
  port: number;
  /** Domain it delivers locally (virtual mailboxes). */
  localDomain: string;
  /** Local parts that have a mailbox; mail to any other is accepted, then bounced (5.1.1). */
  mailboxes: readonly string[];
  /** Domain whose mail (the DSNs to the VERP sender) goes to `relayPort` on loopback. */
  bounceDomain: string;
  relayPort: number;
}

/** A running private Postfix instance. */
export interface PrivatePostfix {
  /** Its mail log (Postfix's `maillog_file`), for a failing test's message. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts a Postfix instance of the test's own (`postfix -c DIR`), apart from any system one:
 * configuration, queue and data in a temporary directory, smtpd on 127.0.0.1:`port` only, no
 * DNS. Mail to unknown users of `localDomain` is accepted and then bounced by virtual(8), so
 * Postfix itself writes the delivery status notification and sends it to the envelope sender.
 */
export async function startPrivatePostfix(options: PrivatePostfixOptions): Promise<PrivatePostfix> {
  const dir = await mkdtemp(path.join(tmpdir(), 'depeche-postfix-'));
  // The postfix user must reach data/ and mail/ inside (mkdtemp makes it 0700).
  await chmod(dir, 0o755);
  const conf = path.join(dir, 'conf');
  const uid = Number(execFileSync('id', ['-u', 'postfix']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postfix']).toString().trim());
  for (const sub of ['conf', 'queue', 'data', 'mail']) await mkdir(path.join(dir, sub));
  await chown(path.join(dir, 'data'), uid, gid);
  await chown(path.join(dir, 'mail'), uid, gid);
  const mainCf = `
compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
myhostname = relay.test
mydomain = relay.test
myorigin = relay.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relay_domains =
alias_maps =
alias_database =
virtual_mailbox_domains = ${options.localDomain}
virtual_mailbox_maps = texthash:${conf}/mailboxes
virtual_mailbox_base = ${dir}/mail
virtual_uid_maps = static:${uid}
virtual_gid_maps = static:${gid}
smtpd_reject_unlisted_recipient = no
transport_maps = texthash:${conf}/transport
disable_dns_lookups = yes
smtp_dns_support_level = disabled
smtp_host_lookup = native
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
`;
  // No chroot (the test's paths), the services a delivery and its bounce need.
  const services = [
    `127.0.0.1:${options.port} inet n - n - - smtpd`,
    'pickup unix n - n 60 1 pickup',
    'cleanup unix n - n - 0 cleanup',
    'qmgr unix n - n 300 1 qmgr',
    'rewrite unix - - n - - trivial-rewrite',
    'bounce unix - - n - 0 bounce',
    'defer unix - - n - 0 bounce',
    'trace unix - - n - 0 bounce',
    'verify unix - - n - 1 verify',
    'flush unix n - n 1000? 0 flush',
    'proxymap unix - - n - - proxymap',
    'smtp unix - - n - - smtp',
    'relay unix - - n - - smtp',
    'showq unix n - n - - showq',
    'error unix - - n - - error',
    'retry unix - - n - - error',
    'discard unix - - n - - discard',
    'local unix - n n - - local',
    'virtual unix - n n - - virtual',
    'anvil unix - - n - 1 anvil',
    'scache unix - - n - 1 scache',
    'postlog unix-dgram n - n - 1 postlogd',
  ];
  await writeFile(path.join(conf, 'main.cf'), mainCf);
  await writeFile(path.join(conf, 'master.cf'), `${services.join('\n')}\n`);
  await writeFile(
    path.join(conf, 'mailboxes'),
    options.mailboxes.map((local) => `${local}@${options.localDomain} ${local}/\n`).join(''),
  );
  await writeFile(
    path.join(conf, 'transport'),
    `${options.bounceDomain} smtp:[127.0.0.1]:${options.relayPort}\n`,
  );
  const log = () => readFile(path.join(dir, 'maillog'), 'utf8').catch(() => '(no mail log)');
  try {
    await run('postfix', ['-c', conf, 'start']);
  } catch (error) {
    const text = await log();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`private Postfix did not start: ${(error as Error).message}\n${text}`, {
      cause: error,
    });
  }
  return {
    log,
    async stop() {
      await run('postfix', ['-c', conf, 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
