import { DateTime } from 'luxon';
import { formatPrice } from '@shared/service-options';
import type { MailTemplate } from '../domain/notifications';
import type { OutboxMessage } from '../db/outbox.repository';

/** A rendered message: subject, plain text and HTML (the same words). */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface RenderLinks {
  /** The booking in the app. */
  booking: string;
  /** Where a non-essential message can be turned off without signing in; null for essential mail. */
  unsubscribe: string | null;
}

interface Draft {
  subject: string;
  /** Paragraphs of plain text. */
  lines: string[];
  action: string;
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** "Thu 3 Dec, 09:30 (Europe/Berlin)": every time in the workshop's own zone, as the app shows it. */
export function workshopTime(at: Date, zone: string): string {
  const t = DateTime.fromJSDate(at, { zone });
  return `${t.toFormat('ccc d LLL, HH:mm')} (${zone})`;
}

/** The free runs a workshop's cancel or move offered (the event's `alternatives`), one line. */
function alternativesLines(m: OutboxMessage, zone: string, intro: string): string[] {
  const runs = Array.isArray(m.eventData?.alternatives) ? (m.eventData.alternatives as Array<{ startsAt?: unknown }>) : [];
  const times = runs.flatMap((r) => (typeof r.startsAt === 'string' ? [workshopTime(new Date(r.startsAt), zone)] : []));
  return times.length ? [`${intro} ${times.join('; ')}.`] : [];
}

function draft(template: MailTemplate, m: OutboxMessage): Draft {
  const b = m.booking;
  const w = m.workshop;
  const when = workshopTime(b.startsAt, w.timezone);
  const what = `${b.serviceName} at ${w.name}`;
  const reason = typeof m.eventData?.reason === 'string' ? m.eventData.reason : null;
  switch (template) {
    case 'request_new':
      return {
        subject: b.status === 'pending' ? `New booking request: ${b.serviceName}, ${when}` : `New booking: ${b.serviceName}, ${when}`,
        lines: [
          `${b.customerName} ${b.status === 'pending' ? 'asks to book' : 'booked'} ${b.serviceName} on ${when} (${formatPrice(b.priceCents, b.currency, 'en')}).`,
          ...(b.notes ? [`Their note: ${b.notes}`] : []),
          ...(b.status === 'pending' && b.acceptDeadline ? [`Please accept or decline by ${workshopTime(b.acceptDeadline, w.timezone)}; after that the request expires.`] : []),
        ],
        action: 'Open the request',
      };
    case 'accept_escalation':
      return {
        subject: `Waiting for your answer: ${b.serviceName}, ${when}`,
        lines: [
          `${b.customerName}'s request for ${b.serviceName} on ${when} is still waiting.`,
          ...(b.acceptDeadline ? [`It expires at ${workshopTime(b.acceptDeadline, w.timezone)} unless you accept or decline it.`] : []),
        ],
        action: 'Answer the request',
      };
    case 'request_expired_admin':
      return {
        subject: `Request expired unanswered: ${w.name}`,
        lines: [`${w.name} did not answer ${b.customerName}'s request for ${b.serviceName} on ${when} within its accept time; it has expired.`],
        action: 'See the booking',
      };
    case 'booking_accepted':
      return {
        subject: `Confirmed: ${what}, ${when}`,
        lines: [`${w.name} confirmed your booking of ${b.serviceName} on ${when}.`, `Address: ${w.address}, ${w.city}.`],
        action: 'See your booking',
      };
    case 'booking_declined':
      return {
        subject: `Declined: ${what}, ${when}`,
        lines: [`${w.name} could not take your booking of ${b.serviceName} on ${when}.`, ...(reason ? [`Their reason: ${reason}`] : []), 'The time is free again; you may pick another.'],
        action: 'See your booking',
      };
    case 'booking_expired':
      return {
        subject: `No answer in time: ${what}, ${when}`,
        lines: [`${w.name} did not answer your request for ${b.serviceName} on ${when} in time, so it has expired and nothing is charged.`],
        action: 'See your booking',
      };
    case 'booking_cancelled':
      return {
        subject: `Cancelled: ${what}, ${when}`,
        lines: [`Your booking of ${b.serviceName} at ${w.name} on ${when} is cancelled.`, ...(reason ? [`Reason: ${reason}`] : [])],
        action: 'See your booking',
      };
    case 'booking_rescheduled':
      return {
        subject: `Moved: ${what}, now ${when}`,
        lines: [`Your booking of ${b.serviceName} at ${w.name} now starts ${when}.`],
        action: 'See your booking',
      };
    case 'booking_cancelled_by_workshop':
      return {
        subject: `Cancelled by ${w.name}: ${b.serviceName}, ${when}`,
        lines: [
          `${w.name} had to cancel your booking of ${b.serviceName} on ${when}.`,
          ...(reason ? [`Their reason: ${reason}`] : []),
          'Anything you paid for it is refunded in full; no cancellation fee applies.',
          ...alternativesLines(m, w.timezone, 'You can book one of these free times instead:'),
        ],
        action: 'See your booking',
      };
    case 'booking_moved_by_workshop':
      return {
        subject: `Moved by ${w.name}: ${b.serviceName}, now ${when}`,
        lines: [
          `${w.name} had to move your booking of ${b.serviceName}: it now starts ${when}.`,
          ...(reason ? [`Their reason: ${reason}`] : []),
          ...alternativesLines(m, w.timezone, 'If that time does not suit you, pick one of these with one click on the booking page, or cancel it there for a full refund:'),
        ],
        action: 'See your booking',
      };
    case 'reminder_24h':
    case 'reminder_2h':
      return {
        subject: `Reminder: ${what}, ${when}`,
        lines: [`${template === 'reminder_24h' ? 'Tomorrow' : 'Soon'}: ${b.serviceName} at ${w.name}, ${when}.`, `Address: ${w.address}, ${w.city}.`, ...(w.phone ? [`Phone: ${w.phone}`] : [])],
        action: 'See your booking',
      };
    case 'quote_waiting': {
      const total = typeof m.eventData?.totalMinor === 'number' ? formatPrice(m.eventData.totalMinor, b.currency, 'en') : null;
      return {
        subject: `Extra work waiting for your approval: ${what}`,
        lines: [
          `${w.name} sent a quote for extra work on your ${b.serviceName}${total ? ` (${total})` : ''}.`,
          'Nothing is done or charged until you approve it; open your booking to approve or decline it.',
        ],
        action: 'See the quote',
      };
    }
    case 'job_ready':
      return {
        subject: `Ready for collection: ${what}`,
        lines: [`Your ${b.serviceName} at ${w.name} is ready for collection.`, `Address: ${w.address}, ${w.city}.`, ...(w.phone ? [`Phone: ${w.phone}`] : [])],
        action: 'See your booking',
      };
    case 'review_request':
      return {
        subject: `How was ${w.name}?`,
        lines: [`Your ${b.serviceName} at ${w.name} on ${when} is done. A short review helps other drivers choose.`],
        action: 'Write a review',
      };
  }
}

/** Renders one message for its recipient (HTML escaped; times in the workshop's zone). */
export function renderMail(m: OutboxMessage, links: RenderLinks): RenderedMail {
  const d = draft(m.template, m);
  const greeting = `Hello ${m.recipient.name},`;
  const footer = links.unsubscribe
    ? `You get this because reminders and review requests are on for your account. Turn them off: ${links.unsubscribe}`
    : 'You get this because it is about a booking of yours on Holdfast.';
  const text = [greeting, ...d.lines, `${d.action}: ${links.booking}`, '—', footer].join('\n\n');
  const p = (s: string) => `<p style="margin:0 0 12px">${escapeHtml(s)}</p>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(d.subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:560px;margin:0 auto;padding:16px">
${p(greeting)}
${d.lines.map(p).join('\n')}
<p style="margin:20px 0"><a href="${escapeHtml(links.booking)}" style="background:#1d4ed8;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(d.action)}</a></p>
<hr style="border:none;border-top:1px solid #ddd">
<p style="font-size:13px;color:#555">${links.unsubscribe
    ? `You get this because reminders and review requests are on for your account. <a href="${escapeHtml(links.unsubscribe)}">Unsubscribe</a>`
    : 'You get this because it is about a booking of yours on Holdfast.'}</p>
</body></html>`;
  return { subject: d.subject, text, html };
}
