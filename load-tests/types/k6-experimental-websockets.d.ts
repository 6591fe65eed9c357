// @types/k6 2.x types the graduated `k6/websockets`; the experimental path is the same API.
declare module 'k6/experimental/websockets' {
  export * from 'k6/websockets';
}
