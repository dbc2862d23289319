// What a close code means for the client (docs/protocol.md, section 14):
// 4000-4499 reconnect and resume; 4500-4999 stop and tell the person.

export type CloseDecision =
  | { reconnect: true; slow: boolean }
  | { reconnect: false; message: string };

const final: Record<number, string> = {
  4500: "The connection was refused (bad request). Reload the page to try again.",
  4501: "The connection timed out before signing in. Reload the page to try again.",
  4502: "This join link is not valid. Ask your facilitator for a new one.",
  4503: "You joined from another window or device; this one is no longer connected.",
  4504: "The connection was refused. Reload the page to try again.",
  4505: "A facilitator removed you from the session.",
  4506: "The session has ended. Thank you for being here.",
  4507: "You cannot join this session.",
  4508: "A facilitator did not admit you to this session.",
  4509: "Your observer consent is no longer valid.",
};

export function decideOnClose(code: number): CloseDecision {
  if (code === 4003) {
    // A fresh token is needed; the link's token will not get better by retrying.
    return { reconnect: false, message: "Your join link has expired. Ask your facilitator for a new one." };
  }
  if (code >= 4500 && code <= 4999) {
    return { reconnect: false, message: final[code] ?? "The server closed the connection." };
  }
  if (code === 1009) {
    return { reconnect: false, message: "A message was too large for the server." };
  }
  return { reconnect: true, slow: code === 4005 };
}
