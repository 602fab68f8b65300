// The page shares src/camera/types.ts with the server; its one Node type (a download's writable
// stream) never reaches the browser, so an empty declaration stands in for @types/node here.
declare namespace NodeJS {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface WritableStream {}
}
