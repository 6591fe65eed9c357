import type { AccountMessage } from '../db/outbox.repository';
import { escapeHtml, type RenderedMail } from './templates';

/** Where each account link opens in the app (hash routes of the client). */
export const ACCOUNT_LINK_PATH: Record<AccountMessage['template'], string> = {
  password_reset: '/#/reset',
  email_verify: '/#/verify',
  admin_invite: '/#/invite',
  staff_invite: '/#/staff-invite',
};

const ROLE_WORDS: Record<string, string> = { front_desk: 'front desk', mechanic: 'mechanic' };

function draft(m: AccountMessage): { subject: string; lines: string[]; action: string; footer: string } {
  switch (m.template) {
    case 'password_reset':
      return {
        subject: 'Reset your Holdfast password',
        lines: ['Someone (we hope you) asked to reset the password of your Holdfast account.', 'The link works once, for one hour. Your password stays as it is until you choose a new one.'],
        action: 'Choose a new password',
        footer: 'Did not ask for this? Ignore this message: nothing changes.',
      };
    case 'email_verify':
      return {
        subject: 'Confirm your email address for Holdfast',
        lines: ['Please confirm that this is your address, so booking news and password resets reach you.', 'The link works once, for seven days.'],
        action: 'Confirm my address',
        footer: 'Did not create a Holdfast account? Ignore this message.',
      };
    case 'admin_invite':
      return {
        subject: 'You are invited to run Holdfast as an admin',
        lines: [
          `${m.inviterName ?? 'An administrator'} invited you to become an administrator of Holdfast.`,
          'Open the link to choose your name and password. It works once, for 72 hours.',
        ],
        action: 'Accept the invitation',
        footer: 'Not expecting this? Ignore this message: no account is made without you.',
      };
    case 'staff_invite': {
      const workshop = m.staff?.workshopName ?? 'a workshop';
      return {
        subject: `Join ${workshop} on Holdfast`,
        lines: [
          `${m.inviterName ?? 'The owner'} invited you to work at ${workshop} as ${ROLE_WORDS[m.staff?.role ?? ''] ?? 'staff'}.`,
          'Open the link to join: with your Holdfast workshop account if you have one, or choose a name and password. It works once, for seven days.',
        ],
        action: 'Join the workshop',
        footer: 'Not expecting this? Ignore this message: nothing changes without you.',
      };
    }
  }
}

/** Renders an account message with its link (the token in the link is the only copy that leaves the server). */
export function renderAccountMail(m: AccountMessage, link: string): RenderedMail {
  const d = draft(m);
  const greeting = m.recipient.name ? `Hello ${m.recipient.name},` : 'Hello,';
  const text = [greeting, ...d.lines, `${d.action}: ${link}`, '—', d.footer].join('\n\n');
  const p = (s: string) => `<p style="margin:0 0 12px">${escapeHtml(s)}</p>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(d.subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:560px;margin:0 auto;padding:16px">
${p(greeting)}
${d.lines.map(p).join('\n')}
<p style="margin:20px 0"><a href="${escapeHtml(link)}" style="background:#1d4ed8;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(d.action)}</a></p>
<p style="font-size:13px;color:#555">If the button does not work, copy this address into your browser: ${escapeHtml(link)}</p>
<hr style="border:none;border-top:1px solid #ddd">
<p style="font-size:13px;color:#555">${escapeHtml(d.footer)}</p>
</body></html>`;
  return { subject: d.subject, text, html };
}
