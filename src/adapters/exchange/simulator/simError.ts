/** An answer in Bitvavo's error shape, with the HTTP status it travels with. */
export interface SimError {
  readonly status: number;
  readonly errorCode: number;
  readonly error: string;
}

export const simError = (status: number, errorCode: number, error: string): SimError => ({
  status,
  errorCode,
  error,
});

export const isSimError = (value: unknown): value is SimError =>
  typeof value === 'object' && value !== null && 'errorCode' in value && 'status' in value;

export const ORDER_NOT_FOUND = simError(
  404,
  240,
  'No order found. Please be aware that simultaneously updating the same order may return this error.',
);
