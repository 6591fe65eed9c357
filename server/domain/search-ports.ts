import type { SearchFacets, SearchSort } from '@shared/schemas/search';
import type { WorkshopListItem } from '@shared/schemas/views';

/** A sort position: the sort's own keys (see workshop-search.ts) and the workshop id that breaks ties. */
export interface SearchPosition {
  keys: Array<string | number>;
  id: string;
}

/** What the store filters, sorts and pages by: already validated and normalised by the domain. */
export interface SearchFilter {
  /** Words to match (letters and digits only); the last one also as a prefix. Empty: no text filter. */
  terms: string[];
  city?: string;
  category?: string;
  minPriceCents?: number;
  maxPriceCents?: number;
  minRating?: number;
  point?: { lat: number; lng: number; radiusM: number };
  /** Opening hours on `weekday` (0 = Sunday) and no closure on `date`. */
  openOn?: { date: string; weekday: number };
  /** A slot with a unit not booked starting in [from, to). */
  freeWindow?: { from: Date; to: Date };
  sort: SearchSort;
  /** Rows strictly after this position. */
  after?: SearchPosition;
  /** Rows to return (the domain asks for one more than a page to know whether another follows). */
  limit: number;
  /** The instant "next free slot" is counted from. */
  now: Date;
}

export interface SearchRow {
  item: WorkshopListItem;
  /** Metres from the point (null without one). */
  distanceM: number | null;
  /** This row's position in the sort. */
  position: SearchPosition;
}

/** Port: the public workshop search (full text, distance, facets). */
export interface WorkshopSearchStore {
  search(filter: SearchFilter): Promise<{ rows: SearchRow[]; total: number; facets: SearchFacets }>;
}
