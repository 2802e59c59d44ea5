/**
 * A mail provider for the demo that sends no mail: Auth.js hands it the sign-in link, it prints the
 * link to the server log and keeps the latest one per address in memory, where the dev mailbox
 * page (GET /dev/mailbox) shows it. Swap it for a real provider (Nodemailer, Resend, …) in an app.
 */
import type { EmailConfig } from '@auth/core/providers/email';

export interface Letter {
  /** The address Auth.js would have mailed (already normalised: lower case, trimmed). */
  email: string;
  /** The magic link: /auth/callback/email?token=…&email=…&callbackUrl=… */
  url: string;
  /** When the link stops working. */
  expires: Date;
  sentAt: Date;
}

/** Keeps the last sign-in link per address, newest first, at most `limit` addresses. */
export interface Mailbox {
  deliver(letter: Letter): void;
  latest(email: string): Letter | undefined;
  all(): Letter[];
}

export function createMailbox(limit = 100): Mailbox {
  const letters = new Map<string, Letter>();
  return {
    deliver(letter) {
      letters.delete(letter.email);
      letters.set(letter.email, letter);
      if (letters.size > limit) letters.delete(letters.keys().next().value!);
    },
    latest(email) {
      return letters.get(email.trim().toLowerCase());
    },
    all() {
      return [...letters.values()].reverse();
    },
  };
}

/** Auth.js's email ("magic link") provider, delivering into `mailbox` and the log. */
export function logOnlyEmail(mailbox: Mailbox, options: { maxAge: number }): EmailConfig {
  return {
    id: 'email',
    type: 'email',
    name: 'Email',
    // Seconds a link stays valid (Auth.js defaults to a day).
    maxAge: options.maxAge,
    sendVerificationRequest({ identifier, url, expires }) {
      mailbox.deliver({ email: identifier, url, expires, sentAt: new Date() });
      console.log(
        `[mail] sign-in link for ${identifier}, valid until ${expires.toISOString()}:\n       ${url}`,
      );
    },
  };
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );

/** The dev mailbox page: the latest link of every address, newest first. */
export function renderMailbox(letters: Letter[]): string {
  const rows = letters
    .map(
      (letter) =>
        `<tr><td>${escapeHtml(letter.email)}</td>` +
        `<td><a href="${escapeHtml(letter.url)}">Sign in as ${escapeHtml(letter.email)}</a></td>` +
        `<td><time datetime="${letter.sentAt.toISOString()}">${letter.sentAt.toLocaleString()}</time></td>` +
        `<td><time datetime="${letter.expires.toISOString()}">${letter.expires.toLocaleString()}</time></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Dev mailbox</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 56rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
    table { border-collapse: collapse; width: 100%; }
    td, th { border-bottom: 1px solid #ddd; padding: .4rem; text-align: left; font-size: .9rem; }
  </style>
</head>
<body>
  <h1>Dev mailbox</h1>
  <p>The demo sends no mail. Each address's latest sign-in link lands here (and in the server log).
    Links are single-use. <a href="/">Back to the demo</a></p>
  ${
    letters.length === 0
      ? '<p id="empty">No sign-in links yet.</p>'
      : `<table>
    <thead><tr><th>To</th><th>Link</th><th>Sent</th><th>Expires</th></tr></thead>
    <tbody>
${rows}
    </tbody>
  </table>`
  }
</body>
</html>
`;
}
