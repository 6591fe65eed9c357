import type { StatusCounts } from '@shared/schemas/reports';

/** The report's days: `from`..`to` (both included) as local days of `zone`, and the instants [start, end) they cover. */
export interface ReportRange {
  from: string;
  to: string;
  zone: string;
  start: Date;
  end: Date;
  /** Every day of the range, oldest first. */
  days: string[];
}

/** Counts of a group of bookings as the store adds them up; the domain turns them into figures. */
export interface RawFigures {
  bookings: number;
  byStatus: StatusCounts;
  leadMedianHours: number | null;
  leadP90Hours: number | null;
}

export interface RawUtilisation {
  bookedBayMinutes: number;
  openBayMinutes: number;
}

export interface CompletedValue {
  currency: string;
  completedCents: number;
}

/** Aggregates over bookings (by appointment day) and slots (by start day) in a range: one query each. */
export interface ReportStore {
  workshopBookings(workshopId: string, range: ReportRange): Promise<{
    total: RawFigures;
    byDay: Array<RawFigures & { date: string }>;
    byService: Array<RawFigures & { serviceId: string; name: string; category: string; currency: string; completedCents: number }>;
    completedValue: CompletedValue[];
  }>;
  workshopSlots(workshopId: string, range: ReportRange): Promise<{
    total: RawUtilisation;
    byDay: Array<RawUtilisation & { date: string }>;
    byHour: Array<RawUtilisation & { hour: number }>;
  }>;
  /** Utilisation of each bay 1..bays by the bookings assigned to it, and the booked minutes of bookings with no bay. */
  workshopBays(workshopId: string, range: ReportRange): Promise<{
    byBay: Array<RawUtilisation & { bay: number }>;
    unassignedBookedBayMinutes: number;
  }>;
  /** `city`: only workshops in that city (compared case-insensitively). */
  marketplaceBookings(range: ReportRange, city: string | null): Promise<{
    total: RawFigures;
    byDay: Array<RawFigures & { date: string }>;
    byWorkshop: Array<RawFigures & { workshopId: string; name: string; city: string }>;
    byCity: Array<RawFigures & { city: string }>;
    completedValue: CompletedValue[];
  }>;
  marketplaceSlots(range: ReportRange, city: string | null): Promise<{
    total: RawUtilisation;
    byDay: Array<RawUtilisation & { date: string }>;
    byWorkshop: Array<RawUtilisation & { workshopId: string; name: string; city: string }>;
    byCity: Array<RawUtilisation & { city: string }>;
  }>;
}
