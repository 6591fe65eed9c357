import type { ReportedReview, ReviewModerationInput, ReviewReplyInput, ReviewReportInput, ReviewView } from '@shared/schemas/review';
import type { Principal } from './actor';
import type { Clock } from './clock';
import { DomainError, forbidden, notFound } from './errors';
import type { ReviewStore } from './review-ports';

/**
 * What happens to a review after it is written: the workshop answers it once; any signed-in
 * reader but its author reports it once; an admin hides it (it leaves the public list and the
 * rating), shows it again, or dismisses its reports. Every admin step carries a reason and is
 * recorded in the audit trail by the store, in the same transaction as the step.
 */
export function createReviewModeration(deps: {
  reviews: ReviewStore;
  /** The workshop if this vendor owns it (FORBIDDEN otherwise). */
  owned: (actor: Principal, workshopId: string) => Promise<unknown>;
  clock: Clock;
}) {
  const { reviews } = deps;
  const existing = async (reviewId: string) => {
    const ref = await reviews.find(reviewId);
    if (!ref) throw notFound('Review');
    return ref;
  };

  return {
    async reply(actor: Principal, reviewId: string, input: ReviewReplyInput): Promise<ReviewView> {
      if (actor.role !== 'vendor') throw forbidden('Only the workshop can reply to its reviews');
      const ref = await existing(reviewId);
      await deps.owned(actor, ref.workshopId);
      if (ref.replied) throw new DomainError('CONFLICT', 'This review already has your reply');
      const view = await reviews.reply(reviewId, input.text, actor.id, new Date(deps.clock.now()));
      if (!view) throw new DomainError('CONFLICT', 'This review already has your reply');
      return view;
    },

    async report(actor: Principal, reviewId: string, input: ReviewReportInput): Promise<void> {
      const ref = await existing(reviewId);
      if (ref.hidden) throw notFound('Review');
      if (ref.customerId === actor.id) throw forbidden('You cannot report your own review');
      if (!(await reviews.report(reviewId, actor.id, input.reason, new Date(deps.clock.now())))) {
        throw new DomainError('CONFLICT', 'You have already reported this review');
      }
    },

    async moderate(actor: Principal, reviewId: string, action: 'hide' | 'unhide' | 'dismiss_reports', input: ReviewModerationInput): Promise<ReviewView> {
      if (actor.role !== 'admin') throw forbidden('Only an admin can moderate reviews');
      const ref = await existing(reviewId);
      if (action === 'hide' && ref.hidden) throw new DomainError('CONFLICT', 'This review is already hidden');
      if (action === 'unhide' && !ref.hidden) throw new DomainError('CONFLICT', 'This review is not hidden');
      if (action === 'dismiss_reports' && ref.openReports === 0) throw new DomainError('CONFLICT', 'This review has no open reports');
      return reviews.moderate({ reviewId, action, reason: input.reason, adminId: actor.id, at: new Date(deps.clock.now()) });
    },

    async reported(actor: Principal, limit = 50): Promise<ReportedReview[]> {
      if (actor.role !== 'admin') throw forbidden('Only an admin can see reported reviews');
      return reviews.reported(limit);
    },
  };
}
export type ReviewModeration = ReturnType<typeof createReviewModeration>;
