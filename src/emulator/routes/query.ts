// Analytics query semantics shared by the sync query and async jobs: filters (segment and
// conversation predicates), ordering and interval matching.
import type {
  AnalyticsConversationWithoutAttributes,
  AnalyticsParticipantWithoutAttributes,
  AnalyticsSession,
  AnalyticsConversationSegment,
} from '../../sdk/models.ts';

interface Predicate {
  type?: string;
  dimension?: string;
  operator?: string;
  value?: string;
}
interface Filter {
  type?: string;
  predicates?: Predicate[];
  clauses?: Filter[];
}

export type Lookup = (dimension: string) => unknown;

/** Validates a filter list; returns an error message or undefined. */
export function filterProblem(filters: unknown, name: string): string | undefined {
  if (filters === undefined) return undefined;
  if (!Array.isArray(filters)) return `${name} must be an array`;
  const check = (f: unknown, depth: number): string | undefined => {
    if (typeof f !== 'object' || f === null) return `${name}: each filter must be an object`;
    const x = f as Filter;
    if (x.type !== 'and' && x.type !== 'or') return `${name}: filter type must be "and" or "or"`;
    if (depth > 3) return `${name}: clauses nest too deep`;
    for (const p of x.predicates ?? []) {
      if (typeof p !== 'object' || p === null) return `${name}: predicates must be objects`;
      if (p.type !== undefined && !['dimension', 'property', 'metric'].includes(p.type))
        return `${name}: bad predicate type ${String(p.type)}`;
      if (p.operator !== undefined && !['matches', 'exists', 'notExists'].includes(p.operator))
        return `${name}: bad operator ${String(p.operator)}`;
      if ((p.type ?? 'dimension') === 'dimension' && typeof p.dimension !== 'string')
        return `${name}: a dimension predicate needs a dimension`;
    }
    for (const c of x.clauses ?? []) {
      const e = check(c, depth + 1);
      if (e) return e;
    }
    return undefined;
  };
  for (const f of filters) {
    const e = check(f, 1);
    if (e) return e;
  }
  return undefined;
}

function predicateMatches(p: Predicate, lookup: Lookup): boolean {
  if ((p.type ?? 'dimension') !== 'dimension' || !p.dimension) return true; // metrics/properties are not modelled
  const v = lookup(p.dimension);
  const values = Array.isArray(v) ? v : v === undefined ? [] : [v];
  const op = p.operator ?? 'matches';
  if (op === 'exists') return values.length > 0;
  if (op === 'notExists') return values.length === 0;
  return values.some((x) => String(x) === p.value);
}

function filterMatches(f: Filter, lookup: Lookup): boolean {
  const results = [
    ...(f.predicates ?? []).map((p) => predicateMatches(p, lookup)),
    ...(f.clauses ?? []).map((c) => filterMatches(c, lookup)),
  ];
  if (results.length === 0) return true;
  return f.type === 'or' ? results.some(Boolean) : results.every(Boolean);
}

function conversationLookup(c: AnalyticsConversationWithoutAttributes): Lookup {
  return (dim) => {
    if (dim === 'divisionId') return c.divisionIds;
    return (c as Record<string, unknown>)[dim];
  };
}

/** Segment dimensions read from the segment, then its session, then its participant. */
function segmentLookup(
  p: AnalyticsParticipantWithoutAttributes,
  s: AnalyticsSession,
  seg: AnalyticsConversationSegment,
): Lookup {
  return (dim) => {
    const fromSeg = (seg as Record<string, unknown>)[dim];
    if (fromSeg !== undefined) return fromSeg;
    if (dim === 'flowId') return s.flow?.flowId;
    const fromSession = (s as Record<string, unknown>)[dim];
    if (fromSession !== undefined && typeof fromSession !== 'object') return fromSession;
    const fromParticipant = (p as Record<string, unknown>)[dim];
    return typeof fromParticipant === 'object' ? undefined : fromParticipant;
  };
}

export function matchesFilters(
  c: AnalyticsConversationWithoutAttributes,
  conversationFilters: Filter[] | undefined,
  segmentFilters: Filter[] | undefined,
): boolean {
  for (const f of conversationFilters ?? []) if (!filterMatches(f, conversationLookup(c))) return false;
  // Each segment filter must be satisfied by one segment (all its predicates on that segment).
  for (const f of segmentFilters ?? []) {
    let any = false;
    for (const p of c.participants ?? [])
      for (const s of p.sessions ?? [])
        for (const seg of s.segments ?? [])
          if (!any && filterMatches(f, segmentLookup(p, s, seg))) any = true;
    if (!any) return false;
  }
  return true;
}

const DAY = 86_400_000;

/** Sync query: "conversations that started on a day touched by the interval" (UTC days). */
export function dayTouchedRange(startMs: number, endMs: number): [number, number] {
  return [Math.floor(startMs / DAY) * DAY, Math.ceil(endMs / DAY) * DAY];
}
