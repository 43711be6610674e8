import { comparePositions, type GlobalPosition } from '../domain/ports/eventStore';

/**
 * The position to read on from after a page that was not the end; a store that did not move on would
 * make the read loop forever, so that is an error.
 */
export function requireProgress(
  after: GlobalPosition | undefined,
  lastPosition: GlobalPosition | undefined,
): GlobalPosition {
  if (!lastPosition || (after && comparePositions(lastPosition, after) <= 0)) {
    throw new Error('the store did not move on past a page that was not the end');
  }
  return lastPosition;
}
