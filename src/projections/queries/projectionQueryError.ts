/** A read-model query the caller got wrong (a 400): INVALID_CURSOR. */
export class ProjectionQueryError extends Error {
  override readonly name = 'ProjectionQueryError';
  readonly httpStatus = 400;
  constructor(
    readonly code: 'INVALID_CURSOR',
    message: string,
  ) {
    super(message);
  }
}
