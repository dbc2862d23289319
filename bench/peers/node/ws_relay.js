'use strict';
// The Node `ws` contestant of the fan-out benchmark: a room relay written the way
// a team would write it. Room = the URL path /r/<room>; a message goes unchanged
// to every other member of the room.
const { WebSocketServer } = require('ws');
const { parseArgs, createServer, serve } = require('./common');

const opts = parseArgs(process.argv.slice(2));
const server = createServer(opts);
const wss = new WebSocketServer({ server, perMessageDeflate: false });
const rooms = new Map(); // room name -> Set of sockets

wss.on('connection', (ws, req) => {
  const match = /^\/r\/([^?]+)/.exec(req.url);
  if (!match) {
    ws.close(1008, 'path must be /r/<room>');
    return;
  }
  const name = match[1];
  let room = rooms.get(name);
  if (!room) {
    room = new Set();
    rooms.set(name, room);
  }
  room.add(ws);

  ws.on('message', (data, isBinary) => {
    for (const peer of room) {
      if (peer !== ws && peer.readyState === peer.OPEN) peer.send(data, { binary: isBinary });
    }
  });
  ws.on('close', () => {
    room.delete(ws);
    if (room.size === 0) rooms.delete(name);
  });
  ws.on('error', () => {}); // 'close' follows and cleans up
});

serve(server, opts, 'ws relay');
