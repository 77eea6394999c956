// The lap page's keyboard: `[` and `]` step to the previous and next lap of the session,
// `r` shows or hides the reference lap. Keys typed into a form field are left alone.
import type { LapInfo } from '../api/types';

export type LapKeyAction = 'previous' | 'next' | 'reference';

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** The focused element's tag name (INPUT, SELECT, TEXTAREA are typing), and whether it is editable. */
  targetTag?: string;
  targetEditable?: boolean;
}

export function lapKeyAction(event: KeyLike): LapKeyAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const tag = (event.targetTag ?? '').toUpperCase();
  if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || event.targetEditable) return null;
  switch (event.key) {
    case '[':
      return 'previous';
    case ']':
      return 'next';
    case 'r':
    case 'R':
      return 'reference';
    default:
      return null;
  }
}

/** The lap before (-1) or after (+1) `currentId` in lap order, or null at either end. */
export function adjacentLap(laps: readonly LapInfo[], currentId: number, step: -1 | 1): LapInfo | null {
  const ordered = [...laps].sort((a, b) => a.lap_number - b.lap_number);
  const i = ordered.findIndex((l) => l.id === currentId);
  if (i < 0) return null;
  return ordered[i + step] ?? null;
}
