/**
 * The emulated Sequoia's WebSocket limits (websocket-face.ts), in a file of their own so the
 * CLI can show the defaults without loading the server.
 *
 * The camera is an embedded device on a Wi-Fi link; its notifications are small JSON texts (about
 * 50 bytes), a few per capture or setting change. A client 64 KiB behind is some 1,300
 * notifications behind: it is not reading, and waiting for it would only grow memory.
 */

/** Most WebSocket clients at once; the next upgrade is answered 503. */
export const DEFAULT_MAX_WEBSOCKET_CLIENTS = 1024;

/** Most bytes queued for one client (ws's `bufferedAmount`) before it is dropped. */
export const DEFAULT_MAX_WEBSOCKET_QUEUE_BYTES = 64 * 1024;

/** 1008 Policy Violation (RFC 6455 §7.4.1): the close code of a client dropped for not keeping up. */
export const CLOSE_TOO_SLOW = 1008;
