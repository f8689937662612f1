/** The database cannot be used; the message says why and what to do. Nothing was changed. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}
