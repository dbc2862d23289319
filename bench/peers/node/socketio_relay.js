'use strict';
// The socket.io contestant of the fan-out benchmark: an idiomatic socket.io 4 room
// relay. Room = the handshake query parameter `room`; event "m" goes to every other
// member of the room.
const { Server } = require('socket.io');
const { parseArgs, createServer, serve } = require('./common');

const opts = parseArgs(process.argv.slice(2));
const server = createServer(opts);
const io = new Server(server, {
  transports: ['websocket'],
  perMessageDeflate: false,
  pingInterval: 25000,
  pingTimeout: 20000,
  maxHttpBufferSize: 1e6,
});

io.on('connection', (socket) => {
  const room = socket.handshake.query.room;
  if (typeof room !== 'string' || room === '') {
    socket.disconnect(true);
    return;
  }
  socket.join(room);
  socket.on('m', (arg) => {
    socket.to(room).emit('m', arg);
  });
});

serve(server, opts, 'socket.io relay');
